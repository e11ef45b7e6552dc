package io.meshlite.cp.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificatesTest {
  private final Clock clock = Clock.systemUTC();

  @Test
  void newCertificatesAreRsa2048SignedWithSha256() throws Exception {
    Certificates.Issued ca = Certificates.newCa("kuma-cp CA", clock);
    Certificates.Issued leaf = Certificates.issue(ca, Certificates.Usage.SERVER, List.of("127.0.0.1", "localhost"), clock);
    for (Certificates.Issued c : List.of(ca, leaf)) {
      assertThat(c.key().getAlgorithm()).isEqualTo("RSA");
      assertThat(((RSAPublicKey) c.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
      assertThat(c.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    }
    leaf.certificate().verify(ca.certificate().getPublicKey());
    assertThat(Certificates.subjectAltNames(leaf.certificate())).containsExactly("127.0.0.1", "localhost");
  }

  @Test
  void aCaKeptFromBeforeWithAnEcKeyStillSigns() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=old EC CA");
    var now = clock.instant();
    var cert = new JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(name, java.math.BigInteger.TWO, java.util.Date.from(now),
                java.util.Date.from(now.plusSeconds(3600)), name, kp.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    Certificates.Issued ecCa = new Certificates.Issued(cert, kp.getPrivate());
    Certificates.Issued leaf = Certificates.issue(ecCa, Certificates.Usage.SERVER, List.of("cp.example"), clock);
    assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(leaf.key().getAlgorithm()).isEqualTo("RSA");
    leaf.certificate().verify(ecCa.certificate().getPublicKey());
  }
}
