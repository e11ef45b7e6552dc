package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.EnvoyAdmin;
import io.meshlite.tests.support.EnvoyBinary;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.TcpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-registration end to end (P7 items 5 and 6): a kuma-dp started with {@code --dataplane-file}
 * and {@code --dataplane-var}, with no {@code kumactl apply}, registers its Dataplane through the
 * bootstrap and ADS; traffic flows to it; the merged metrics (Envoy + the application's endpoint
 * from the Dataplane's {@code metrics.conf.aggregate}) are served on the Unix socket and on {@code
 * --metrics-port}; when the agent stops the control plane removes the Dataplane after the
 * (shortened) deregistration delay, while a Dataplane applied with kumactl stays.
 */
class SelfRegistrationIT {
  private static final Duration DEREGISTRATION_DELAY = Duration.ofSeconds(5);

  @TempDir Path work;

  private ControlPlane cp;
  private Kumactl kumactl;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startControlPlane() {
    cp = ControlPlane.start(
        work, Map.of("KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY", DEREGISTRATION_DELAY.toSeconds() + "s"));
    kumactl = new Kumactl(work, cp.apiUrl());
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    cp.close();
  }

  private void echo(String name, int port) {
    JavaProcess p = JavaProcess.start(
        name, work, "io.meshlite.agent.echo.TcpEchoMain", List.of("-port", String.valueOf(port)), Map.of());
    closing.add(p);
    await(name + " listening").atMost(Duration.ofSeconds(30)).until(() -> TcpClient.roundTrip(port, "ping").equals("ping"));
  }

  /** A fake application metrics endpoint. */
  private int appMetrics() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    s.createContext("/app-metrics", ex -> {
      try (ex) {
        byte[] b = "# TYPE orders_total counter\norders_total{shop=\"test\"} 42\n# EOF\n".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "text/plain; version=0.0.4");
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

  private Http.Response dataplane(String name) {
    return Http.get(cp.apiUrl() + "/meshes/default/dataplanes/" + name);
  }

  @Test
  void aSelfRegisteredDataplaneComesAndGoesWithItsAgent() throws Exception {
    int backendApp = Ports.free();
    int backendInbound = Ports.free();
    int webApp = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    int metricsPort = Ports.free();
    int adminPort = Ports.free();
    int metricsApp = appMetrics();
    echo("echo-backend", backendApp);
    echo("echo-web", webApp);

    // The client side is applied by a user: it must survive its agent.
    JavaProcess.Result applied = kumactl.apply(
        """
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            tags: {kuma.io/service: web}
          outbound:
          - port: %d
            tags: {kuma.io/service: backend}
        """.formatted(webInbound, webApp, webOutbound));
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    DataplaneAgent web = DataplaneAgent.start(work, cp.dpServerUrl(), "default", "web-1", List.of(), Map.of());
    closing.add(web);

    Path template = Files.writeString(work.resolve("backend.yaml"),
        """
        type: Dataplane
        mesh: default
        name: {{ name }}
        labels:
          team: payments
        networking:
          address: 127.0.0.1
          inbound:
          - port: {{ port }}
            servicePort: {{ appPort }}
            tags:
              kuma.io/service: backend
        metrics:
          type: prometheus
          conf:
            aggregate:
            - name: orders
              address: 127.0.0.1
              port: {{ metricsApp }}
              path: /app-metrics
        """);
    assertThat(dataplane("backend-1").status()).isEqualTo(404);
    Path backendWork = work.resolve("dp-backend-1");
    JavaProcess backend = JavaProcess.start("kuma-dp-backend-1", work, "io.meshlite.agent.AgentMain", List.of(
        "run",
        "--cp-address", cp.dpServerUrl(),
        "--dataplane-file", template.toString(),
        "--dataplane-var", "name=backend-1",
        "--dataplane-var", "port=" + backendInbound,
        "--dataplane-var", "appPort=" + backendApp,
        "--dataplane-var", "metricsApp=" + metricsApp,
        "--admin-port", String.valueOf(adminPort),
        "--readiness-port", String.valueOf(Ports.free()),
        "--metrics-port", String.valueOf(metricsPort),
        "--binary-path", EnvoyBinary.require().toString(),
        "--work-dir", backendWork.toString(),
        "--ca-cert-file", cp.caFile().toString(),
        "--dataplane-token-file", tokenFile("backend-1").toString(),
        "--dns-proxy-port", String.valueOf(Ports.free()),
        "--drain-time", "2s",
        "--envoy-log-level", "warning"), Map.of());
    closing.add(backend);
    EnvoyAdmin backendAdmin = new EnvoyAdmin(adminPort);

    await("backend-1 registered by its agent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> {
          if (!backend.alive()) {
            throw new AssertionError("kuma-dp exited: " + backend.output());
          }
          return dataplane("backend-1").status() == 200;
        });
    assertThat(dataplane("backend-1").body()).contains("\"team\":\"payments\"").contains("\"port\":" + backendInbound);
    await("Envoys ready").atMost(Duration.ofSeconds(60)).until(() -> backendAdmin.ready() && web.admin().ready());

    String message = "to a self-registered backend\n";
    await("echo through both Envoys")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(webOutbound, message).equals(message));

    // Metrics: Envoy's stats and the application's, merged, on TCP and on Kuma's Unix socket.
    String viaTcp = Http.get("http://127.0.0.1:" + metricsPort + "/metrics").body();
    assertThat(viaTcp)
        .contains("orders_total{shop=\"test\"} 42")
        .contains("envoy_server_live")
        .contains("kuma_io_mesh_traffic=\"true\"")
        .doesNotContain("# EOF");
    String viaSocket = unixGet(backendWork.resolve("kuma-mh-backend-1-default.sock"), "/metrics");
    assertThat(viaSocket).startsWith("HTTP/1.1 200").contains("orders_total{shop=\"test\"} 42").contains("envoy_");

    // The agent goes: the Dataplane stays for the deregistration delay, then disappears.
    assertThat(backend.terminate(Duration.ofSeconds(30))).isZero();
    assertThat(dataplane("backend-1").status()).as("still registered right after the agent exits").isEqualTo(200);
    long gone = System.nanoTime();
    await("backend-1 deregistered")
        .atMost(DEREGISTRATION_DELAY.plusSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> dataplane("backend-1").status() == 404);
    System.out.printf("self-registered Dataplane removed %d ms after its agent exited (delay %s)%n",
        (System.nanoTime() - gone) / 1_000_000, DEREGISTRATION_DELAY);
    await("client cluster emptied").atMost(Duration.ofSeconds(15)).until(() -> web.admin().healthyEndpoints("backend").isEmpty());

    // The user's Dataplane is never removed with its agent.
    assertThat(web.process().terminate(Duration.ofSeconds(60))).isZero();
    await("web-1 kept well past the delay")
        .during(DEREGISTRATION_DELAY.plusSeconds(3))
        .atMost(DEREGISTRATION_DELAY.plusSeconds(10))
        .until(() -> dataplane("web-1").status() == 200);
  }

  @Test
  void anInvalidDataplaneIsRefusedWithOneLine() throws Exception {
    Path template = Files.writeString(work.resolve("bad.yaml"),
        "type: Dataplane\nmesh: default\nname: {{ name }}\nnetworking:\n  address: 127.0.0.1\n");
    JavaProcess bad = JavaProcess.start("kuma-dp-bad", work, "io.meshlite.agent.AgentMain", List.of(
        "run", "--cp-address", cp.dpServerUrl(), "--dataplane-file", template.toString(), "--dataplane-var", "name=bad-1",
        "--readiness-port", String.valueOf(Ports.free()), "--binary-path", EnvoyBinary.require().toString(),
        "--ca-cert-file", cp.caFile().toString(), "--dataplane-token-file", tokenFile("bad-1").toString(),
        "--dns-proxy-port", String.valueOf(Ports.free())), Map.of());
    closing.add(bad);
    assertThat(bad.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.process().exitValue()).isEqualTo(1);
    assertThat(bad.output()).contains("Invalid request").contains("inbound");
    assertThat(dataplane("bad-1").status()).isEqualTo(404);
  }

  /** GET over a Unix socket; returns the raw response. */
  private static String unixGet(Path socket, String path) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      while (ch.read(buf) >= 0) {
        if (!buf.hasRemaining()) {
          break;
        }
      }
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
  }

  /** A dataplane token for a self-registering proxy, as an operator would hand it to the VM. */
  private Path tokenFile(String name) throws java.io.IOException {
    return Files.writeString(work.resolve(name + ".token"), cp.dataplaneToken("default", name));
  }
}
