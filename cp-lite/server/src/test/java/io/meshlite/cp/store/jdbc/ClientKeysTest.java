package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientKeysTest {
  private static final KeyPair RSA = TestPki.rsa();

  @TempDir Path dir;

  @Test
  void pkcs1PemBecomesPkcs8Der() throws Exception {
    String pem = TestPki.pem(RSA.getPrivate());
    assertThat(pem).contains("BEGIN RSA PRIVATE KEY");

    assertThat(ClientKeys.toPkcs8Der(pem.getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(RSA.getPrivate().getEncoded());
  }

  @Test
  void pkcs8PemAndDerAreKept() throws Exception {
    String pem = TestPki.pem(new JcaPKCS8Generator(RSA.getPrivate(), null).generate());
    assertThat(pem).contains("BEGIN PRIVATE KEY");

    assertThat(ClientKeys.toPkcs8Der(pem.getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(RSA.getPrivate().getEncoded());
    assertThat(ClientKeys.toPkcs8Der(RSA.getPrivate().getEncoded()))
        .isEqualTo(RSA.getPrivate().getEncoded());
  }

  @Test
  void pkcs1DerIsWrapped() throws Exception {
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(RSA.getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();

    assertThat(ClientKeys.toPkcs8Der(pkcs1)).isEqualTo(RSA.getPrivate().getEncoded());
  }

  @Test
  void ecSec1PemWithParametersBecomesPkcs8() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = g.generateKeyPair();
    String pem = TestPki.pem(ec.getPrivate());
    assertThat(pem).contains("BEGIN EC PRIVATE KEY");

    byte[] der = ClientKeys.toPkcs8Der(pem.getBytes(StandardCharsets.US_ASCII));

    assertThat(PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm())
        .isEqualTo(
            PrivateKeyInfo.getInstance(ec.getPrivate().getEncoded())
                .getPrivateKeyAlgorithm()
                .getAlgorithm());
  }

  @Test
  void encryptedAndNonKeysAreRefusedClearly() throws Exception {
    var encryptor =
        new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
            .setPassword("pw".toCharArray())
            .build();
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(new JcaPKCS8Generator(RSA.getPrivate(), encryptor));
    }

    assertThatThrownBy(
            () -> ClientKeys.toPkcs8Der(w.toString().getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encrypted");
    assertThatThrownBy(
            () ->
                ClientKeys.toPkcs8Der(
                    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
                        .getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(Exception.class);
    assertThatThrownBy(() -> ClientKeys.toPkcs8Der("not a key".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a private key");
  }

  @Test
  void theConvertedFileIsPrivateAndPkcs12IsPassedThrough() throws Exception {
    Path pem = Files.writeString(dir.resolve("client.key"), TestPki.pem(RSA.getPrivate()));
    Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-r--r--"));

    Path out = ClientKeys.toPgjdbcKey(pem);
    try {
      assertThat(out.getFileName().toString()).endsWith(".pk8");
      assertThat(Files.getPosixFilePermissions(out))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.readAllBytes(out)).isEqualTo(RSA.getPrivate().getEncoded());
    } finally {
      Files.delete(out);
    }
    Path p12 = Files.write(dir.resolve("client.p12"), new byte[] {1, 2, 3});
    assertThat(ClientKeys.toPgjdbcKey(p12)).isEqualTo(p12);
  }
}
