package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.echo.TcpEchoServer;
import io.meshlite.agent.envoy.AdminEndpoint;
import io.meshlite.agent.envoy.EnvoyAdmin;
import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.envoy.RunningProcess;
import io.meshlite.agent.support.Ticker;
import io.meshlite.agent.testing.EnvoyBinaries;
import io.meshlite.agent.testing.FakeControlPlane.Answer;
import io.meshlite.agent.testing.FakeControlPlane;
import io.meshlite.agent.testing.RecordingLauncher;
import io.meshlite.agent.testing.TestSignals;
import io.meshlite.api.resource.Json;
import io.meshlite.api.testing.Ports;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kuma-dp (in-process, through {@link AgentMain}) runs the REAL Envoy with a static bootstrap from a
 * fake control plane: Envoy serves traffic to an echo server, is restarted after a SIGKILL, and is
 * drained and stopped on a signal.
 */
class AgentEnvoyIT {
  @TempDir Path tmp;
  private final TestSignals signals = new TestSignals();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ExecutorService agentThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "agent-under-test"));
  private RecordingLauncher launcher;
  private FakeControlPlane cp;
  private TcpEchoServer echo;
  private CompletableFuture<Integer> exit;

  private int adminPort;
  private int listenerPort;
  private int readinessPort;

  @BeforeEach
  void setUp() throws Exception {
    echo = TcpEchoServer.start(new InetSocketAddress("127.0.0.1", 0));
    adminPort = Ports.free();
    listenerPort = Ports.free();
    readinessPort = Ports.free();
    cp = new FakeControlPlane(Answer.ok(bootstrap()));
    Path log = tmp.resolve("envoy.log");
    launcher = new RecordingLauncher(new OsProcessLauncher(Redirect.appendTo(log.toFile()), Redirect.appendTo(log.toFile())));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (exit != null && !exit.isDone() && signals.installed()) {
      signals.send("TERM");
      signals.send("TERM");
    }
    launcher.killAll();
    agentThread.shutdownNow();
    echo.close();
    cp.close();
    http.shutdownNow();
  }

  private String bootstrap() {
    return """
        node: {id: default.dp-1, cluster: echo}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        static_resources:
          listeners:
          - name: "inbound:127.0.0.1:%d"
            traffic_direction: INBOUND
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: echo
                  cluster: echo
          clusters:
          - name: echo
            type: STATIC
            connect_timeout: 1s
            load_assignment:
              cluster_name: echo
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(adminPort, listenerPort, listenerPort, echo.port());
  }

  private void startAgent(String... dnsArgs) {
    Map<String, String> env = Map.of(
        "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF", "200ms",
        "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF", "1s");
    InputStream noInput = new ByteArrayInputStream(new byte[0]);
    PrintStream out = System.out;
    AgentEnvironment host = new AgentEnvironment(env, noInput, out, System.err, launcher, signals, Ticker.system(),
        tmp, null, Path.of("/sys/fs/cgroup"), code -> {});
    String[] base = {
      "run", "--name", "dp-1", "--mesh", "default", "--cp-address", cp.address(),
      "--binary-path", EnvoyBinaries.require().toString(), "--readiness-port", Integer.toString(readinessPort),
      "--concurrency", "1", "--drain-time", "20s", "--envoy-log-level", "warning"
    };
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(dnsArgs))
        .toArray(String[]::new);
    exit = CompletableFuture.supplyAsync(() -> new AgentMain(host).execute(args), agentThread);
  }

  private HttpResponse<String> readiness() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + readinessPort + "/ready"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    byte[] back = s.getInputStream().readNBytes(text.length());
    assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo(text);
  }

  private boolean trafficFlows() throws IOException {
    try (Socket s = new Socket("127.0.0.1", listenerPort)) {
      s.setSoTimeout(2000);
      roundTrip(s, "ping through envoy");
      return true;
    }
  }

  @Test
  void runsEnvoyRestartsItAfterSigkillAndDrainsOnSignal() throws Exception {
    startAgent("--dns-enabled=false");
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", adminPort), Duration.ofSeconds(2));

    // Envoy is up: admin is LIVE, kuma-dp reports READY with Kuma's headers, traffic flows.
    await().atMost(Duration.ofSeconds(60)).until(admin::ready);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readiness().statusCode() == 200);
    HttpResponse<String> ready = readiness();
    assertThat(ready.body()).isEqualTo("READY");
    assertThat(ready.headers().firstValue("content-type")).contains("text/plain");
    assertThat(ready.headers().firstValue("cache-control")).contains("no-cache, max-age=0");
    assertThat(ready.headers().firstValue("x-powered-by")).contains("kuma-dp");
    assertThat(trafficFlows()).isTrue();
    assertThat(cp.requests()).hasSize(1);
    String workdir = Json.mapper().readTree(cp.requests().get(0)).path("workdir").asText();
    assertThat(Path.of(workdir).resolve("bootstrap.yaml")).exists();

    // SIGKILL Envoy: kuma-dp fetches the bootstrap again and restarts it; traffic resumes.
    RunningProcess first = launcher.last();
    ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> launcher.started().size() == 2 && launcher.last().isAlive());
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(this::trafficFlows);
    assertThat(cp.requests()).hasSize(2);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readiness().body().equals("READY"));

    // Graceful stop: with a connection open the drain waits and readiness says TERMINATING;
    // once the connection closes kuma-dp stops Envoy and returns 0.
    RunningProcess second = launcher.last();
    try (Socket open = new Socket("127.0.0.1", listenerPort)) {
      open.setSoTimeout(2000);
      roundTrip(open, "held open");
      await().atMost(Duration.ofSeconds(10)).until(() -> admin.activeInboundConnections() == 1);
      signals.send("TERM");
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readiness().body().equals("TERMINATING"));
      assertThat(readiness().statusCode()).isEqualTo(503);
      assertThat(exit).isNotDone();
      assertThat(second.isAlive()).isTrue();
    }
    assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    assertThat(second.isAlive()).isFalse();
    assertThat(launcher.started()).hasSize(2);
    assertThat(Path.of(workdir)).doesNotExist();
  }

  /**
   * With the DNS stub on but no dynamic-config listener from the control plane (no transparent
   * proxying), no name table will ever come: kuma-dp is READY as soon as Envoy is, not after the
   * 15 s DNS gate Kuma waits out.
   */
  @Test
  void readyWithoutWaitingOutTheDnsGateWhenNoDnsTableCanCome() throws Exception {
    startAgent("--dns-enabled=true", "--dns-proxy-port", Integer.toString(Ports.free()));
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", adminPort), Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(60)).until(admin::ready);
    // The gate would hold for 15 s after the stub started, which is before Envoy was launched.
    await().atMost(Duration.ofSeconds(8)).ignoreExceptions().until(() -> readiness().statusCode() == 200);
    assertThat(readiness().body()).isEqualTo("READY");
  }

  /**
   * With the control plane's dynamic-config listener present (transparent proxying) but no table
   * served yet, the DNS gate holds readiness at NOT_READY although Envoy is ready; once the listener
   * serves a table, kuma-dp is READY and the stub answers the mesh name from it.
   */
  @Test
  void theDnsGateHoldsReadinessUntilTheFirstTableArrives() throws Exception {
    Path workDir = tmp.resolve("work");
    java.nio.file.Files.createDirectories(workDir);
    String socket = workDir.resolve(io.meshlite.agent.dns.DnsConfigFetcher.SOCKET).toString();
    cp.answer(Answer.ok(withDynamicConfigListener(socket, 503, "not yet")));
    int dnsPort = Ports.free();
    startAgent("--dns-enabled=true", "--dns-proxy-port", Integer.toString(dnsPort), "--work-dir", workDir.toString());
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", adminPort), Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(60)).until(admin::ready);
    await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(Path.of(socket)));

    // Envoy is ready and the listener exists, but /dns fails: the gate holds.
    assertThat(readiness().body()).isEqualTo("NOT_READY");
    assertThat(readiness().statusCode()).isEqualTo(503);

    // Restart Envoy with a listener that serves a table: the first table opens the gate.
    cp.answer(Answer.ok(withDynamicConfigListener(socket, 200,
        "{\\\"records\\\":[{\\\"name\\\":\\\"backend.mesh\\\",\\\"ips\\\":[\\\"240.0.0.7\\\"]}],\\\"ttl\\\":30}")));
    ProcessHandle.of(launcher.last().pid()).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(14)).ignoreExceptions().until(() -> readiness().body().equals("READY"));
    org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver("127.0.0.1");
    resolver.setPort(dnsPort);
    org.xbill.DNS.Message answer = resolver.send(org.xbill.DNS.Message.newQuery(
        org.xbill.DNS.Record.newRecord(org.xbill.DNS.Name.fromString("backend.mesh."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN)));
    assertThat(answer.getSection(org.xbill.DNS.Section.ANSWER)).extracting(org.xbill.DNS.Record::rdataToString)
        .containsExactly("240.0.0.7");
  }

  /** The bootstrap plus Kuma's dynamic-config listener on the work dir's socket, answering GET /dns directly. */
  private String withDynamicConfigListener(String socket, int status, String body) {
    String listener = """
          - name: _kuma:dynamicconfig
            address: {pipe: {path: "%s"}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: dynamicconfig
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
                  route_config:
                    virtual_hosts:
                    - name: dynamicconfig
                      domains: ["*"]
                      routes:
                      - match: {path: /dns}
                        direct_response: {status: %d, body: {inline_string: "%s"}}
        """.formatted(socket, status, body);
    return bootstrap().replace("  clusters:\n", listener + "  clusters:\n");
  }
}
