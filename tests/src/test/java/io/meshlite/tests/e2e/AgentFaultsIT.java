package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.TcpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P7 fault tests with real kuma-cp, kuma-dp and Envoy: the agent keeps the data plane up through
 * an Envoy crash and a control-plane outage, drains in-flight requests on SIGTERM, and never leaves
 * an orphaned Envoy behind when it is SIGKILLed. kuma-cp runs on SQLite in the test's directory so
 * that a restarted control plane finds its state again.
 */
class AgentFaultsIT {
  @TempDir Path work;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private ControlPlane cp;
  private Kumactl kumactl;
  private int dpServerPort;

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  /** kuma-cp on SQLite with a fixed dp-server port (kuma-dp and Envoy must find it again after a restart). */
  private ControlPlane startControlPlane() {
    if (dpServerPort == 0) {
      dpServerPort = Ports.free();
    }
    ControlPlane c = ControlPlane.start(work, Map.of(
        "KUMA_STORE_TYPE", "sqlite",
        "KUMA_STORE_SQLITE_PATH", work.resolve("kuma.db").toString(),
        "KUMA_DP_SERVER_PORT", String.valueOf(dpServerPort)));
    kumactl = new Kumactl(work, c.apiUrl());
    return c;
  }

  private String dpServerUrl() {
    return "https://127.0.0.1:" + dpServerPort;
  }

  private void echo(String name, int port) {
    JavaProcess p = JavaProcess.start(
        name, work, "io.meshlite.agent.echo.TcpEchoMain", List.of("-port", String.valueOf(port)), Map.of());
    closing.add(p);
    await(name + " listening").atMost(Duration.ofSeconds(30)).until(() -> TcpClient.roundTrip(port, "ping").equals("ping"));
  }

  private DataplaneAgent agent(String name, List<String> extraArgs) {
    DataplaneAgent a = DataplaneAgent.start(work, dpServerUrl(), "default", name, extraArgs, Map.of());
    closing.add(a);
    return a.awaitReady();
  }

  private void apply(String yaml) {
    JavaProcess.Result r = kumactl.apply(yaml);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private static String backend(String name, int inbound, int app) {
    return """
        type: Dataplane
        mesh: default
        name: %s
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            tags: {kuma.io/service: backend}
        """.formatted(name, inbound, app);
  }

  private static String web(int inbound, int app, int outbound) {
    return """
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
        """.formatted(inbound, app, outbound);
  }

  /** The Envoy that kuma-dp runs (a direct child, through the exec-in-place wrappers). */
  private static ProcessHandle envoyOf(DataplaneAgent a) {
    return a.process().process().descendants()
        .filter(p -> p.info().command().orElse("").endsWith("envoy"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Envoy under kuma-dp pid " + a.process().process().pid()));
  }

  /** A mesh of web-1 → backend-1 over TCP echo; returns web's outbound port. */
  private record Mesh(DataplaneAgent backend, DataplaneAgent web, int outbound) {}

  private Mesh echoMesh() {
    int backendApp = Ports.free();
    int backendInbound = Ports.free();
    int webApp = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    echo("echo-backend", backendApp);
    echo("echo-web", webApp);
    apply(backend("backend-1", backendInbound, backendApp) + "---\n" + web(webInbound, webApp, webOutbound));
    DataplaneAgent backend = agent("backend-1", List.of());
    DataplaneAgent web = agent("web-1", List.of());
    await("echo through both Envoys")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(webOutbound, "hello\n").equals("hello\n"));
    return new Mesh(backend, web, webOutbound);
  }

  @Test
  void aKilledEnvoyIsRestartedAndAKilledAgentTakesItsEnvoyAlong() throws Exception {
    cp = startControlPlane();
    Mesh mesh = echoMesh();

    // SIGKILL the client's Envoy: kuma-dp starts a new one and traffic resumes.
    ProcessHandle first = envoyOf(mesh.web());
    long killed = System.nanoTime();
    first.destroyForcibly();
    await("Envoy restarted and traffic flowing again")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !first.isAlive() && TcpClient.roundTrip(mesh.outbound(), "again\n").equals("again\n"));
    System.out.printf("traffic resumed %d ms after Envoy was SIGKILLed (restart backoff 1s)%n",
        (System.nanoTime() - killed) / 1_000_000);
    ProcessHandle second = envoyOf(mesh.web());
    assertThat(second.pid()).isNotEqualTo(first.pid());
    assertThat(mesh.web().process().output()).contains("Envoy exited unexpectedly");

    // SIGKILL kuma-dp itself: no shutdown hook runs, yet its Envoy must not outlive it.
    ProcessHandle backendEnvoy = envoyOf(mesh.backend());
    mesh.backend().process().process().destroyForcibly();
    await("the killed agent's Envoy is gone too")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !backendEnvoy.isAlive());
  }

  @Test
  void trafficSurvivesAControlPlaneOutageAndChangesFlowAgainAfterwards() throws Exception {
    cp = startControlPlane();
    Mesh mesh = echoMesh();

    cp.process().process().destroyForcibly();
    cp.process().process().waitFor(10, TimeUnit.SECONDS);
    for (int i = 0; i < 20; i++) {
      assertThat(TcpClient.roundTrip(mesh.outbound(), "cp is down " + i + "\n")).isEqualTo("cp is down " + i + "\n");
    }
    assertThat(mesh.web().process().alive()).isTrue();
    assertThat(mesh.backend().process().alive()).isTrue();

    // Same store, same dp-server port: the proxies reconnect by themselves and follow new changes.
    cp.close();
    cp = startControlPlane();
    int backend2App = Ports.free();
    int backend2Inbound = Ports.free();
    echo("echo-backend-2", backend2App);
    apply(backend("backend-2", backend2Inbound, backend2App));
    await("the new backend endpoint reaches the client's Envoy")
        .atMost(Duration.ofSeconds(60))
        .until(() -> mesh.web().admin().healthyEndpoints("backend").contains("127.0.0.1:" + backend2Inbound));
    // A new proxy bootstraps from the restarted control plane; both backends then answer (round robin).
    agent("backend-2", List.of());
    await("both backends answer through the mesh")
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          for (int i = 0; i < 4; i++) {
            if (!TcpClient.roundTrip(mesh.outbound(), "after the outage\n").equals("after the outage\n")) {
              return false;
            }
          }
          return true;
        });
  }

  @Test
  void sigtermDuringASlowRequestLetsItFinishThenExits() throws Exception {
    cp = startControlPlane();
    CountDownLatch inFlight = new CountDownLatch(1);
    int slowApp = slowHttpApp(inFlight, Duration.ofSeconds(3));
    int backendInbound = Ports.free();
    int webApp = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    echo("echo-web", webApp);
    apply(backend("backend-1", backendInbound, slowApp) + "---\n" + web(webInbound, webApp, webOutbound));
    Duration drainTime = Duration.ofSeconds(15);
    DataplaneAgent backend = agent("backend-1", List.of("--drain-time", drainTime.toSeconds() + "s"));
    agent("web-1", List.of());
    await("the slow app is reachable through the mesh")
        .atMost(Duration.ofSeconds(30))
        .until(() -> inFlight.getCount() == 1 && healthy(webOutbound));

    var requests = Executors.newVirtualThreadPerTaskExecutor();
    closing.add(requests::shutdownNow);
    CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> httpGet(webOutbound, "/slow"), requests);
    assertThat(inFlight.await(30, TimeUnit.SECONDS)).as("the slow request reached the app").isTrue();

    long term = System.nanoTime();
    backend.process().process().destroy(); // SIGTERM to kuma-dp while the request is in flight
    assertThat(response.get(30, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200").endsWith("slow answer\n");
    assertThat(backend.process().process().waitFor(drainTime.toSeconds() + 10, TimeUnit.SECONDS))
        .as("kuma-dp exits within the drain time").isTrue();
    System.out.printf("kuma-dp exited %d ms after SIGTERM (slow request 3 s, drain time %s)%n",
        (System.nanoTime() - term) / 1_000_000, drainTime);
    assertThat(backend.process().process().exitValue()).isZero();
    assertThat(backend.process().output()).contains("draining");
  }

  private boolean healthy(int port) {
    return httpGet(port, "/health").startsWith("HTTP/1.1 200");
  }

  /** An HTTP app whose {@code /slow} answers after {@code delay}, counting down {@code started} first. */
  private int slowHttpApp(CountDownLatch started, Duration delay) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    s.createContext("/", ex -> {
      try (ex) {
        String body = "ok\n";
        if (ex.getRequestURI().getPath().equals("/slow")) {
          started.countDown();
          try {
            Thread.sleep(delay); // the app under test is slow on purpose
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          body = "slow answer\n";
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
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

  /** One HTTP/1.1 request with {@code Connection: close}; the raw response, or the error. */
  private static String httpGet(int port, String path) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: backend\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }
}
