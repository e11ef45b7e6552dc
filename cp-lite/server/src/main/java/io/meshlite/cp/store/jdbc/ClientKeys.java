package io.meshlite.cp.store.jdbc;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Converts client keys to the PKCS#8 DER form pgjdbc reads (with BouncyCastle). */
final class ClientKeys {
  private ClientKeys() {}

  /**
   * The key file to give pgjdbc: PKCS#12 files as they are, anything else (PEM PKCS#1, SEC1 or
   * PKCS#8; DER PKCS#1 or PKCS#8) as PKCS#8 DER in a new 0600 temporary file.
   */
  static Path toPgjdbcKey(Path keyFile) throws IOException {
    String name = keyFile.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".p12") || name.endsWith(".pfx")) {
      return keyFile;
    }
    byte[] der = toPkcs8Der(Files.readAllBytes(keyFile));
    Path out =
        Files.createTempFile(
            "kuma-cp-pg-key-",
            ".pk8",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    out.toFile().deleteOnExit();
    Files.write(out, der);
    return out;
  }

  /** PKCS#8 DER of a PEM or DER private key. */
  static byte[] toPkcs8Der(byte[] content) throws IOException {
    String text = new String(content, StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN")) {
      try (PEMParser parser = new PEMParser(new StringReader(text))) {
        Object o;
        while ((o = parser.readObject()) != null) {
          if (o instanceof PEMKeyPair kp) {
            return kp.getPrivateKeyInfo().getEncoded();
          }
          if (o instanceof PrivateKeyInfo pki) {
            return pki.getEncoded();
          }
          if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IllegalArgumentException(
                "the key is encrypted; give kuma-cp an unencrypted key (mode 0600)");
          }
          // other blocks (EC PARAMETERS, certificates) are skipped
        }
      }
      throw new IllegalArgumentException("no private key found in the PEM file");
    }
    try {
      return PrivateKeyInfo.getInstance(content).getEncoded();
    } catch (IllegalArgumentException | ClassCastException notPkcs8) {
      try {
        RSAPrivateKey rsa = RSAPrivateKey.getInstance(content);
        AlgorithmIdentifier alg =
            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
        return new PrivateKeyInfo(alg, rsa).getEncoded();
      } catch (IllegalArgumentException | ClassCastException notPkcs1) {
        throw new IllegalArgumentException(
            "not a private key (expected PEM, PKCS#8 DER, PKCS#1 DER or PKCS#12 .p12)");
      }
    }
  }
}
