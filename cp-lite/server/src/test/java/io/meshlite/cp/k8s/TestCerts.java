package io.meshlite.cp.k8s;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA and a server certificate for {@code localhost}/127.0.0.1, as the webhook Secret holds. */
final class TestCerts {
  final X509Certificate ca;
  final X509Certificate server;
  final KeyPair serverKeys;

  private TestCerts(X509Certificate ca, X509Certificate server, KeyPair serverKeys) {
    this.ca = ca;
    this.server = server;
    this.serverKeys = serverKeys;
  }

  static TestCerts create() {
    try {
      KeyPair caKeys = rsa();
      Instant now = Instant.now();
      X500Name caName = new X500Name("CN=test-ca");
      JcaX509v3CertificateBuilder cab =
          new JcaX509v3CertificateBuilder(
              caName, BigInteger.ONE, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), caName, caKeys.getPublic());
      cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate ca =
          new JcaX509CertificateConverter().getCertificate(cab.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
      KeyPair keys = rsa();
      JcaX509v3CertificateBuilder sb =
          new JcaX509v3CertificateBuilder(
              caName, BigInteger.TWO, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=localhost"), keys.getPublic());
      sb.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509Certificate server =
          new JcaX509CertificateConverter().getCertificate(sb.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
      return new TestCerts(ca, server, keys);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code tls.crt}, {@code tls.key} (PKCS#8) and {@code ca.crt} into {@code dir}. */
  void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("tls.crt"), pem(server));
    Files.writeString(dir.resolve("tls.key"), pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null)));
    Files.writeString(dir.resolve("ca.crt"), pem(ca));
  }

  /** A client TLS context that trusts only this CA. */
  SSLContext clientContext() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }
}
