package io.meshlite.cp.diagnostics;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.meshlite.cp.runtime.Component;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's diagnostics server (port 5680): {@code GET /ready} answers 200 once every component is
 * ready and 503 naming the others before that; {@code GET /healthy} answers 200 while the process
 * runs; {@code GET /metrics} serves {@link Metrics} in Prometheus text format.
 */
public final class DiagnosticsServer implements Component {
  private static final Logger log = LoggerFactory.getLogger(DiagnosticsServer.class);
  private static final MediaType PROMETHEUS = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final String iface;
  private final int port;
  private final Supplier<List<String>> notReady;
  private final Metrics metrics;
  private volatile Server server;

  /**
   * @param iface the interface to bind (Kuma binds all: {@code 0.0.0.0})
   * @param port the port; 0 picks a free one
   * @param notReady names of the components that are not ready yet (empty when all are)
   * @param metrics the registry served on {@code /metrics}
   */
  public DiagnosticsServer(String iface, int port, Supplier<List<String>> notReady, Metrics metrics) {
    this.iface = iface;
    this.port = port;
    this.notReady = notReady;
    this.metrics = metrics;
  }

  @Override
  public void start() {
    Server s =
        Server.builder()
            .http(new InetSocketAddress(iface, port))
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
            .service("/ready", (ctx, req) -> readiness())
            .service("/healthy", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "OK"))
            .service(
                "/metrics",
                (ctx, req) -> HttpResponse.of(HttpStatus.OK, PROMETHEUS, metrics.scrape()))
            .build();
    s.start().join();
    server = s;
    log.info("diagnostics server listening address={}:{}", iface, port());
  }

  private HttpResponse readiness() {
    List<String> waiting = notReady.get();
    if (waiting.isEmpty()) {
      return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "OK");
    }
    return HttpResponse.of(
        HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "not ready: " + String.join(", ", waiting));
  }

  /** The bound port (useful when configured with 0). */
  public int port() {
    Server s = server;
    return s == null ? port : s.activeLocalPort();
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
      // Wait until the port is released; Armeria's remaining shutdown (a ~2s event-loop quiet
      // period) finishes in the background. The handlers here hold no state worth draining.
      var done = s.stop();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!done.isDone() && !s.activePorts().isEmpty() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      log.info("diagnostics server stopped");
    }
  }

  @Override
  public String toString() {
    return "diagnostics-server";
  }
}
