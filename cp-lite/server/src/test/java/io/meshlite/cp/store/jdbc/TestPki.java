package io.meshlite.cp.store.jdbc;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA for TLS tests (BouncyCastle). */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate with its key. */
  record Issued(X509Certificate cert, KeyPair keys) {
    String certPem() {
      return pem(cert);
    }

    /** The key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), the form OpenSSL tools write by default. */
    String pkcs1KeyPem() {
      return pem(keys.getPrivate());
    }

    /** The key as PKCS#8 ("BEGIN PRIVATE KEY"). */
    String pkcs8KeyPem() {
      try {
        return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  static TestPki create(String name) {
    KeyPair keys = rsa();
    X500Name subject = new X500Name("CN=" + name);
    return new TestPki(
        sign(
            subject,
            keys,
            subject,
            keys,
            b -> {
              b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              b.addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }));
  }

  Issued ca() {
    return ca;
  }

  /** A server certificate for DNS names and IP addresses. */
  Issued server(String cn, String... sans) {
    KeyPair keys = rsa();
    return sign(
        new X500Name("CN=" + cn),
        keys,
        new X500Name(ca.cert.getSubjectX500Principal().getName()),
        ca.keys,
        b -> {
          List<GeneralName> names = new ArrayList<>();
          for (String s : sans) {
            names.add(
                s.matches("[0-9.]+")
                    ? new GeneralName(GeneralName.iPAddress, s)
                    : new GeneralName(GeneralName.dNSName, s));
          }
          b.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(GeneralName[]::new)));
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        });
  }

  /** A client certificate whose CN is the database user (pg_hba "cert" auth). */
  Issued client(String user) {
    KeyPair keys = rsa();
    return sign(
        new X500Name("CN=" + user),
        keys,
        new X500Name(ca.cert.getSubjectX500Principal().getName()),
        ca.keys,
        b ->
            b.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
  }

  @FunctionalInterface
  private interface Extensions {
    void add(X509v3CertificateBuilder b) throws IOException;
  }

  private static Issued sign(
      X500Name subject, KeyPair keys, X500Name issuer, KeyPair issuerKeys, Extensions ext) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              keys.getPublic());
      ext.add(b);
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(
                      new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
      return new Issued(cert, keys);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }
}
