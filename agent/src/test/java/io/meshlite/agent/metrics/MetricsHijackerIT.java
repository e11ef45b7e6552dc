package io.meshlite.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshlite.agent.envoy.AdminEndpoint;
import io.meshlite.agent.envoy.EnvoyAdmin;
import io.meshlite.agent.support.MiniHttp;
import io.meshlite.api.bootstrap.BootstrapResponse.Aggregate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hijacker over its real Unix socket and TCP port, with small HTTP servers playing Envoy and the app. */
class MetricsHijackerIT {
  @TempDir Path tmp;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicReference<String> envoyQuery = new AtomicReference<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  private int serve(String path, String body, String contentType) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    s.createContext(path, ex -> {
      try (ex) {
        envoyQuery.compareAndSet(null, ex.getRequestURI().getRawQuery());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", contentType);
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(b);
        }
      }
    });
    s.start();
    closing.add(() -> s.stop(0));
    return s.getAddress().getPort();
  }

  private MetricsHijacker start(Path socket, boolean tcp, Optional<EnvoyAdmin> envoy, List<Aggregate> apps)
      throws IOException {
    MetricsHijacker h = MetricsHijacker.start(
        socket, tcp ? new InetSocketAddress("127.0.0.1", 0) : null, () -> envoy, apps);
    closing.add(h);
    return h;
  }

  @Test
  void servesEnvoyAndApplicationMetricsMergedOnTheSocketAndTcp() throws Exception {
    int envoyPort = serve("/stats", "envoy_cluster_upstream_cx_total{envoy_cluster_name=\"backend\"} 3\n",
        "text/plain; version=0.0.4");
    int appPort = serve("/app/metrics", "# TYPE app_hits counter\napp_hits_total 42\n# EOF\n",
        "application/openmetrics-text; version=1.0.0");
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", envoyPort), Duration.ofSeconds(2));
    Path socket = MetricsHijacker.socketPath(tmp, "web-1", "default");
    MetricsHijacker h = start(socket, true, Optional.of(admin),
        List.of(new Aggregate("app", "127.0.0.1", appPort, "/app/metrics")));

    assertThat(socket.getFileName().toString()).isEqualTo("kuma-mh-web-1-default.sock");
    MiniHttp.Response viaSocket = MiniHttp.exchange(UnixDomainSocketAddress.of(socket), "localhost", "GET",
        "/metrics?usedonly", Map.of(), new byte[0], Duration.ofSeconds(5));
    assertThat(viaSocket.status()).isEqualTo(200);
    assertThat(viaSocket.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
    assertThat(viaSocket.text())
        .isEqualTo("envoy_cluster_upstream_cx_total{kuma_io_mesh_traffic=\"true\",envoy_cluster_name=\"backend\"} 3\n"
            + "# TYPE app_hits counter\napp_hits_total 42\n");
    assertThat(envoyQuery.get()).isEqualTo("format=prometheus&text_readouts&usedonly");

    MiniHttp.Response viaTcp = MiniHttp.exchange(new InetSocketAddress("127.0.0.1", h.tcpPort()), "127.0.0.1", "GET",
        "/metrics", Map.of(), new byte[0], Duration.ofSeconds(5));
    assertThat(viaTcp.status()).isEqualTo(200);
    assertThat(viaTcp.text()).contains("app_hits_total 42").contains("envoy_cluster_upstream_cx_total");

    h.close();
    assertThat(socket).doesNotExist();
  }

  @Test
  void appendsKumaDpsOwnMetricsAfterEnvoysButNotInsteadOfThem() throws Exception {
    int envoyPort = serve("/stats", "envoy_server_live 1\n", "text/plain; version=0.0.4");
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", envoyPort), Duration.ofSeconds(2));
    String own = "# TYPE kuma_dp_dns_forwarding_loops_total counter\nkuma_dp_dns_forwarding_loops_total 2\n";
    MetricsHijacker h = MetricsHijacker.start(null, new InetSocketAddress("127.0.0.1", 0), () -> Optional.of(admin), () -> own, List.of());
    closing.add(h);
    MiniHttp.Response r = MiniHttp.exchange(new InetSocketAddress("127.0.0.1", h.tcpPort()), "127.0.0.1", "GET",
        "/metrics", Map.of(), new byte[0], Duration.ofSeconds(5));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("envoy_server_live 1\n" + own);

    // without Envoy (or an application) the endpoint still says nothing could be scraped
    MetricsHijacker alone = MetricsHijacker.start(null, new InetSocketAddress("127.0.0.1", 0), Optional::empty, () -> own, List.of());
    closing.add(alone);
    MiniHttp.Response none = MiniHttp.exchange(new InetSocketAddress("127.0.0.1", alone.tcpPort()), "127.0.0.1", "GET",
        "/metrics", Map.of(), new byte[0], Duration.ofSeconds(5));
    assertThat(none.status()).isEqualTo(503);
  }

  @Test
  void answers503WhenNothingCanBeScraped() throws Exception {
    MetricsHijacker h = start(null, true, Optional.empty(), List.of(new Aggregate("gone", "127.0.0.1", 1, "/metrics")));
    MiniHttp.Response r = MiniHttp.exchange(new InetSocketAddress("127.0.0.1", h.tcpPort()), "127.0.0.1", "GET",
        "/metrics", Map.of(), new byte[0], Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(503);
    MiniHttp.Response post = MiniHttp.exchange(new InetSocketAddress("127.0.0.1", h.tcpPort()), "127.0.0.1", "POST",
        "/metrics", Map.of(), new byte[0], Duration.ofSeconds(10));
    assertThat(post.status()).isEqualTo(405);
  }

  @Test
  void aStaleSocketFileIsReplacedButALiveOneIsNot() throws Exception {
    Path socket = tmp.resolve("kuma-mh-a-b.sock");
    Files.writeString(socket, "stale");
    start(socket, false, Optional.empty(), List.of());
    assertThat(Files.isRegularFile(socket)).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(socket, false, Optional.empty(), List.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another kuma-dp");
  }
}
