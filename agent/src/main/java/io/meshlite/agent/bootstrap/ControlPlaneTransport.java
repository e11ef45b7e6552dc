package io.meshlite.agent.bootstrap;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.support.MiniHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.LoggerFactory;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * How {@code POST /bootstrap} reaches the control plane. Plain {@code http://} goes through {@link
 * MiniHttp} (no extra threads, no TLS stack loaded); {@code https://} through the JDK's HTTP
 * client, created on first use, trusting the configured CA or the system trust store.
 */
public abstract sealed class ControlPlaneTransport implements AutoCloseable {

  /** Sends a POST and returns the whole answer. */
  public abstract MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException;

  @Override
  public void close() {}

  /**
   * The transport for the configured address.
   *
   * @throws IllegalArgumentException when the CA certificate does not parse
   */
  public static ControlPlaneTransport forControlPlane(AgentConfig.ControlPlane cp) {
    if ("https".equalsIgnoreCase(cp.address().getScheme())) {
      if (cp.skipVerify()) {
        // Kuma's --skip-verify: only this bootstrap request is unverified; Envoy then verifies the
        // control plane with the CA in the bootstrap. The JDK client checks host names unless told
        // otherwise, process-wide (kuma-dp talks TLS to nothing else).
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        LoggerFactory.getLogger(ControlPlaneTransport.class)
            .warn("the control plane's certificate is not verified for the bootstrap request (--skip-verify)");
        return new Tls(trustingAnything(), "");
      }
      return new Tls(cp.caCert().isBlank() ? null : trusting(cp.caCert()), cp.caCertSource());
    }
    return new Plain();
  }

  /** Plaintext HTTP/1.1. */
  static final class Plain extends ControlPlaneTransport {
    @Override
    public MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
      String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      try {
        return MiniHttp.exchange(MiniHttp.address(uri.getHost(), uri.getPort()), uri.getRawAuthority(), "POST", target,
            headers, body, timeout);
      } catch (UnresolvedAddressException e) {
        throw new IOException("cannot resolve " + uri.getHost(), e);
      } catch (IOException e) {
        if ("incomplete HTTP response".equals(e.getMessage())) {
          // What a TLS-only server does to a plaintext request: kuma-cp's dataplane server is TLS by default.
          throw new IOException(
              "incomplete HTTP response; if the control plane serves TLS (kuma-cp does by default), use https:// in"
                  + " --cp-address with --ca-cert-file",
              e);
        }
        throw e;
      }
    }
  }

  /** HTTPS through the JDK client. */
  static final class Tls extends ControlPlaneTransport {
    private final SSLContext ssl;
    private final String caSource;
    private HttpClient client;

    Tls(SSLContext ssl, String caSource) {
      this.ssl = ssl;
      this.caSource = caSource;
    }

    private synchronized HttpClient client() {
      if (client == null) {
        HttpClient.Builder b = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER);
        if (ssl != null) {
          b.sslContext(ssl);
        }
        client = b.build();
      }
      return client;
    }

    @Override
    public MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
        throws IOException, InterruptedException {
      HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(req::header);
      HttpResponse<byte[]> resp;
      try {
        resp = client().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (HttpTimeoutException e) {
        throw new SocketTimeoutException(e.getMessage());
      } catch (SSLHandshakeException e) {
        throw TlsFailure.of(e, uri, caSource);
      } catch (IOException e) {
        if (e.getCause() instanceof SSLHandshakeException h) {
          throw TlsFailure.of(h, uri, caSource);
        }
        throw e;
      }
      Map<String, String> h = new LinkedHashMap<>();
      resp.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(v.size() - 1)));
      return new MiniHttp.Response(resp.statusCode(), h, resp.body());
    }

    @Override
    public synchronized void close() {
      if (client != null) {
        client.shutdownNow();
      }
    }
  }

  private static SSLContext trustingAnything() {
    X509TrustManager any =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {any}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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
        throw new IllegalArgumentException("the control plane CA certificate holds no PEM certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the control plane CA certificate: " + e.getMessage(), e);
    }
  }
}
