package io.meshlite.kumactl.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS settings of one control plane in kumactl's config ({@code coordinates.apiServer}): {@code
 * caCertFile} (the CA the server is verified with; kuma-cp writes its own to {@code
 * <workDir>/kuma-cp.crt}), and {@code clientCertFile} + {@code clientKeyFile} (an admin client
 * certificate for the HTTPS port). Keys are read as PKCS#8 {@code PRIVATE KEY} or PKCS#1 {@code
 * RSA PRIVATE KEY} PEM.
 */
public final class TlsSettings {
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

  private TlsSettings() {}

  /**
   * The SSL context for a control plane's settings, or null when none is configured (JDK
   * defaults).
   *
   * @throws IllegalArgumentException naming the file that cannot be used
   */
  public static SSLContext from(JsonNode apiServer) {
    String ca = apiServer.path("caCertFile").asText("");
    String cert = apiServer.path("clientCertFile").asText("");
    String key = apiServer.path("clientKeyFile").asText("");
    if (ca.isEmpty() && cert.isEmpty()) {
      return null;
    }
    try {
      TrustManagerFactory tmf = null;
      if (!ca.isEmpty()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(Path.of(ca), "caCertFile")) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (!cert.isEmpty()) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        List<Certificate> chain = certificates(Path.of(cert), "clientCertFile");
        ks.setKeyEntry("client", privateKey(Path.of(key)), new char[0], chain.toArray(Certificate[]::new));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS for the control plane: " + e.getMessage(), e);
    }
  }

  /** A one-line explanation of a failed TLS handshake. */
  static String describe(String base, Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    if (m.contains("PKIX") || m.contains("certification path")) {
      return "TLS: the certificate of the control plane at " + base + " is not trusted: pass its CA with"
          + " `kumactl config control-planes add --ca-cert-file` (kuma-cp writes it to <workDir>/kuma-cp.crt)";
    }
    if (m.contains("No subject alternative") || m.contains("No name matching")) {
      return "TLS: the certificate of the control plane at " + base + " is not valid for this address (" + m + ")";
    }
    return "TLS handshake with the control plane at " + base + " failed: " + m;
  }

  private static List<Certificate> certificates(Path file, String what) throws IOException {
    try {
      List<Certificate> out =
          new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pemBlocks(file, "CERTIFICATE"))));
      if (out.isEmpty()) {
        throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(what + " " + file + " holds no usable certificate: " + e.getMessage(), e);
    }
  }

  /** Only the blocks of one type, so a file with a key beside the certificate still reads. */
  private static byte[] pemBlocks(Path file, String type) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.writeBytes(m.group(0).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  private static PrivateKey privateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (m.group(1)) {
        case "PRIVATE KEY" -> {
          for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
              return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
              // try the next algorithm
            }
          }
        }
        case "RSA PRIVATE KEY" -> {
          try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Pkcs1.toPkcs8(der)));
          } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("clientKeyFile " + file + " holds a broken RSA key", e);
          }
        }
        default -> {
          // not a key we read
        }
      }
    }
    throw new IllegalArgumentException(
        "clientKeyFile " + file + " holds no PKCS#8 (PRIVATE KEY) or PKCS#1 (RSA PRIVATE KEY) PEM key");
  }
}
