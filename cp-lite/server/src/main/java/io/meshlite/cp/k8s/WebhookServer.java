package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.runtime.Component;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission server of Kubernetes mode ({@code runtime.kubernetes.admissionServer}, HTTPS on
 * 5443; Kuma's Service exposes it as 443). Serves Kuma's {@code POST /inject-sidecar}; the API
 * server calls it for every pod created in a namespace (or for a pod) labelled {@code
 * kuma.io/sidecar-injection: enabled}.
 *
 * <p>Its certificate: {@code tls.crt}/{@code tls.key} from {@code certDir} (the Secret that {@code
 * kumactl install control-plane} generates, mounted at {@code /var/run/secrets/kuma.io/tls-cert}),
 * else {@code general.tlsCertFile}/{@code tlsKeyFile}, else a self-signed one (which the API server
 * will not trust: only for trying it out).
 */
public final class WebhookServer implements Component {
  private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);

  /** Kuma's path of the sidecar injector webhook. */
  public static final String INJECT_PATH = "/inject-sidecar";

  /**
   * Where the server's certificate comes from.
   *
   * @param certFile PEM certificate (chain), or null for a self-signed certificate
   * @param keyFile PEM private key, or null
   */
  public record Tls(Path certFile, Path keyFile) {
    /** A generated self-signed certificate. */
    public static Tls selfSigned() {
      return new Tls(null, null);
    }

    /**
     * {@code <certDir>/tls.crt} and {@code tls.key} if {@code certDir} is set, else the general
     * files if set, else self-signed.
     *
     * @throws IllegalArgumentException when a configured file does not exist
     */
    public static Tls resolve(String certDir, String generalCert, String generalKey) {
      if (certDir != null && !certDir.isBlank()) {
        return checked(Path.of(certDir, "tls.crt"), Path.of(certDir, "tls.key"), "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR");
      }
      if (generalCert != null && !generalCert.isBlank()) {
        return checked(Path.of(generalCert), Path.of(generalKey), "KUMA_GENERAL_TLS_CERT_FILE/KUMA_GENERAL_TLS_KEY_FILE");
      }
      return selfSigned();
    }

    private static Tls checked(Path cert, Path key, String setting) {
      for (Path p : new Path[] {cert, key}) {
        if (!Files.isReadable(p)) {
          throw new IllegalArgumentException(setting + ": " + p + " cannot be read");
        }
      }
      return new Tls(cert, key);
    }
  }

  private final InetSocketAddress address;
  private final Tls tls;
  private final AdmissionHandler injector;
  private volatile Server server;

  /**
   * @param address where to listen (port 0 picks a free one)
   * @param tls the certificate
   * @param injector answers {@link #INJECT_PATH}
   */
  public WebhookServer(InetSocketAddress address, Tls tls, AdmissionHandler injector) {
    this.address = address;
    this.tls = tls;
    this.injector = injector;
  }

  @Override
  public void start() {
    ServerBuilder b =
        Server.builder()
            .https(address)
            .maxRequestLength(4 * 1024 * 1024)
            .requestTimeout(Duration.ofSeconds(30))
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(2))
            .route()
            .methods(HttpMethod.POST)
            .path(INJECT_PATH)
            .build((ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(agg -> serve(ctx, agg), ctx.blockingTaskExecutor())));
    if (tls.certFile() == null) {
      b.tlsSelfSigned();
      log.warn("admission server uses a self-signed certificate: the API server will not call it (set KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR)");
    } else {
      b.tls(TlsKeyPair.of(tls.keyFile().toFile(), tls.certFile().toFile()));
    }
    Server s = b.build();
    s.start().join();
    server = s;
    log.info("admission server listening address={}:{} paths={}", address.getHostString(), port(), INJECT_PATH);
  }

  private HttpResponse serve(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(req.contentUtf8());
    } catch (IOException e) {
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "request body is not JSON\n");
    }
    try {
      return HttpResponse.ofJson(injector.review(body));
    } catch (IllegalArgumentException e) {
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, e.getMessage() + "\n");
    }
  }

  /** The bound port. */
  public int port() {
    Server s = server;
    return s == null ? address.getPort() : s.activeLocalPort();
  }

  @Override
  public boolean ready() {
    return server != null;
  }

  @Override
  public void stop() {
    Server s = server;
    server = null;
    if (s != null) {
      // Wait until the port is released and connections are closed; the rest of Armeria's
      // shutdown (a fixed event-loop quiet period) finishes in the background.
      var done = s.stop();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!done.isDone() && (!s.activePorts().isEmpty() || s.numConnections() > 0) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      log.info("admission server stopped");
    }
  }

  @Override
  public String toString() {
    return "admission-server";
  }
}
