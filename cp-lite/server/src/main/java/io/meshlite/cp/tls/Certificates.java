package io.meshlite.cp.tls;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the control plane's own certificates: a self-signed CA and leaf certificates it signs. New keys
 * are RSA-2048 (SHA-256 signatures), the default of Kuma's certificate generator. RSA also makes every
 * kuma-dp start faster: a JVM that has just started verifies an RSA signature in about a millisecond, an
 * ECDSA P-256 one in tens (the curve arithmetic runs interpreted and the generator table is built on
 * first use): ≈ 70 ms less to the bootstrap answer with both certificates RSA (docs/bench/agent.md).
 * A CA stored earlier with an EC key keeps signing with ECDSA. Pure apart from the key generator's
 * randomness.
 */
public final class Certificates {
  /** How long generated certificates are valid (Kuma's self-signed certificate: 10 years). */
  public static final Duration VALIDITY = Duration.ofDays(3650);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int RSA_BITS = 2048;

  private Certificates() {}

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {}

  /** What a leaf certificate is for. */
  public enum Usage {
    SERVER,
    CLIENT
  }

  /** A new self-signed CA named {@code commonName}. */
  public static Issued newCa(String commonName, Clock clock) {
    KeyPair kp = newKeyPair();
    X500Name name = new X500Name("CN=" + escape(commonName));
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  name, serial(), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), name,
                  kp.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Issued(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A leaf certificate signed by {@code ca}.
   *
   * @param names DNS names and IP addresses (the first one is also the common name)
   */
  public static Issued issue(Issued ca, Usage usage, List<String> names, Clock clock) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a certificate needs at least one name");
    }
    KeyPair kp = newKeyPair();
    Instant now = clock.instant();
    List<GeneralName> sans = new ArrayList<>();
    for (String n : new LinkedHashSet<>(names)) {
      sans.add(InetAddresses.isInetAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  ca.certificate(),
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(VALIDITY)),
                  new X500Name("CN=" + escape(names.get(0))),
                  kp.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(usage == Usage.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
              .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()))
              .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Issued(sign(b, ca.key()), kp.getPrivate());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
    }
  }

  /** The DNS names and IP addresses a certificate is valid for (IPs in canonical form). */
  public static Set<String> subjectAltNames(X509Certificate cert) {
    Set<String> out = new LinkedHashSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return out;
      }
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
          out.add(canonical(String.valueOf(san.get(1))));
        }
      }
    } catch (CertificateParsingException e) {
      return out;
    }
    return out;
  }

  /** An IP address in canonical form; other names unchanged. */
  public static String canonical(String name) {
    return InetAddresses.isInetAddress(name) ? InetAddresses.toAddrString(InetAddresses.forString(name)) : name;
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** SHA-256 with the signer's kind of key (RSA for new CAs; ECDSA for a CA kept from before). */
  static String signatureAlgorithm(PrivateKey signer) {
    return switch (signer.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> throw new IllegalArgumentException("cannot sign with a " + signer.getAlgorithm() + " key");
    };
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(RSA_BITS, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static String escape(String rdnValue) {
    return rdnValue.replaceAll("([,+\"\\\\<>;=])", "\\\\$1");
  }
}
