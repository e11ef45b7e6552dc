package io.meshlite.agent.bootstrap;

import io.meshlite.agent.config.AgentConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The JDK HTTP client used to reach the control plane's dataplane server. */
public final class ControlPlaneHttp {
  private ControlPlaneHttp() {}

  /**
   * An HTTP/1.1 client with a 10s connect timeout. With a CA certificate (from {@code
   * --ca-cert-file} or {@code KUMA_CONTROL_PLANE_CA_CERT}) https trusts only that CA; otherwise the
   * system trust store.
   *
   * @param executor runs the client's callbacks (virtual threads keep the agent light)
   * @throws IllegalArgumentException when the CA certificate does not parse
   */
  public static HttpClient create(AgentConfig.ControlPlane cp, Executor executor) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor);
    if (!cp.caCert().isBlank() && "https".equalsIgnoreCase(cp.address().getScheme())) {
      b.sslContext(trusting(cp.caCert()));
    }
    return b.build();
  }

  private static SSLContext trusting(String pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("the CA certificate has no PEM certificate in it");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the CA certificate: " + e.getMessage(), e);
    }
  }
}
