package io.meshlite.cp.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates as Kuma 2.14's builtin CA and issuer make them (BouncyCastle, in memory).
 *
 * <ul>
 *   <li>Root CA: self-signed, subject {@code O=Kuma, OU=Mesh, CN=<mesh>}, URI SAN {@code
 *       spiffe://<mesh>}, serial 0, CA:true, key usage certSign|cRLSign;
 *   <li>workload: empty subject, critical URI SANs, random 128-bit serial, key usage
 *       digitalSignature|keyEncipherment|keyAgreement, extended key usage serverAuth+clientAuth.
 * </ul>
 *
 * Both start 10 seconds in the past to absorb clock skew.
 */
public final class Certificates {
  /** Backdating of NotBefore, Kuma's allowed clock skew. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A fresh RSA key pair. */
  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
    }
  }

  /** The self-signed root certificate of a mesh's builtin CA. */
  public static X509Certificate root(String mesh, KeyPair keys, Instant now, Duration lifetime) {
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Kuma")
            .addRDN(BCStyle.OU, "Mesh")
            .addRDN(BCStyle.CN, mesh)
            .build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  BigInteger.ZERO,
                  Date.from(now.minus(CLOCK_SKEW)),
                  Date.from(now.plus(lifetime)),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + mesh)));
      return sign(b, keys.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the CA certificate of mesh " + mesh + ": " + e.getMessage(), e);
    }
  }

  /**
   * A workload certificate signed by {@code ca}.
   *
   * @param uris the URI SANs, in order
   */
  public static X509Certificate workload(
      X509Certificate ca, PrivateKey caKey, PublicKey key, List<String> uris, Instant now, Duration lifetime) {
    GeneralName[] names =
        uris.stream().map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u)).toArray(GeneralName[]::new);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                  new BigInteger(128, RANDOM),
                  Date.from(now.minus(CLOCK_SKEW)),
                  Date.from(now.plus(lifetime)),
                  new X500Name(new RDN[0]),
                  key)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
              .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca))
              // An empty subject makes the SAN extension critical (RFC 5280 4.2.1.6).
              .addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
      return sign(b, caKey);
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a dataplane certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws CertificateException {
    String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key)));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key: " + e.getMessage(), e);
    }
  }

  /** True if {@code key} is the private half of the certificate's public key. */
  public static boolean matches(X509Certificate cert, PrivateKey key) {
    try {
      byte[] probe = "meshlite-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      java.security.Signature s = java.security.Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      java.security.Signature v = java.security.Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
