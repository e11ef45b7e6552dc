package io.meshlite.cp.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** PEM encoding and decoding of certificates and private keys. */
public final class Pem {
  private Pem() {}

  /** PEM of certificates, in order. */
  public static String encode(List<X509Certificate> certs) {
    StringBuilder b = new StringBuilder();
    certs.forEach(c -> b.append(write(c)));
    return b.toString();
  }

  /**
   * PEM of a private key: RSA keys as PKCS#1 ({@code RSA PRIVATE KEY}, as Kuma writes its CA key),
   * other keys as their usual OpenSSL form.
   */
  public static String encode(PrivateKey key) {
    return write(key);
  }

  private static String write(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Every certificate in a PEM text, in order.
   *
   * @throws IllegalArgumentException if there is none or one cannot be read
   */
  public static List<X509Certificate> certificates(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no certificate found in the PEM data");
      }
      return List.copyOf(out);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The first private key in a PEM text (PKCS#1, SEC1 or PKCS#8, unencrypted).
   *
   * @throws IllegalArgumentException if there is none or it is encrypted
   */
  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PEMKeyPair kp) {
          return converter.getPrivateKey(kp.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo pki) {
          return converter.getPrivateKey(pki);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException("the private key is encrypted (give an unencrypted PEM key)");
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no private key found in the PEM data");
  }
}
