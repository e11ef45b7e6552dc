package io.meshlite.kumactl.install;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate of kuma-cp's admission server (and its other TLS servers), generated at install
 * time as Kuma's Helm chart does: a CA {@code kuma-ca} and a server certificate for the control
 * plane's Service, both valid for 10 years. The API server trusts the CA through the webhook's
 * {@code caBundle}; injected sidecars get it as {@code KUMA_CONTROL_PLANE_CA_CERT}.
 *
 * @param caPem the CA certificate (PEM)
 * @param certPem the server certificate (PEM)
 * @param keyPem the server's private key (PKCS#8 PEM)
 */
public record WebhookCertificate(String caPem, String certPem, String keyPem) {
  private static final Duration VALIDITY = Duration.ofDays(3650);

  /**
   * Generates a CA and a server certificate whose names are the Service's DNS names: {@code <svc>},
   * {@code <svc>.<ns>}, {@code <svc>.<ns>.svc} (the name the API server dials) and {@code
   * <svc>.<ns>.svc.cluster.local}.
   */
  public static WebhookCertificate generate(String serviceName, String namespace, Instant now) {
    try {
      SecureRandom random = new SecureRandom();
      KeyPair caKeys = rsa(random);
      X500Name caName = new X500Name("CN=kuma-ca");
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
              caName, serial(random), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), caName, caKeys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      ca.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = sign(ca, caKeys);

      KeyPair keys = rsa(random);
      List<String> names =
          List.of(
              serviceName,
              serviceName + "." + namespace,
              serviceName + "." + namespace + ".svc",
              serviceName + "." + namespace + ".svc.cluster.local");
      X509v3CertificateBuilder server =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(random),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(VALIDITY)),
              new X500Name("CN=" + serviceName),
              keys.getPublic());
      server.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
      server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      server.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      server.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate cert = sign(server, caKeys);
      return new WebhookCertificate(pem(caCert), pem(cert), pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the webhook certificate: " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException, CertIOException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
  }

  private static KeyPair rsa(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, random);
    return g.generateKeyPair();
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(128, random);
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }
}
