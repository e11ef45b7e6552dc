package io.meshlite.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.AgentMain;
import io.meshlite.agent.testing.FakeControlPlane.Answer;
import io.meshlite.agent.testing.FakeControlPlane;
import io.meshlite.agent.testing.FakeEnvoyAdmin;
import io.meshlite.agent.testing.Scripts;
import io.meshlite.api.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kuma-dp as a real process receiving real SIGTERMs. A stand-in script plays the Envoy process and
 * a fake admin API records the drain calls (this tests supervision and signals, not Envoy).
 */
class AgentSignalIT {
  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Process> agents = new ArrayList<>();
  private FakeControlPlane cp;
  private FakeEnvoyAdmin admin;

  @AfterEach
  void killEverything() {
    for (Process p : agents) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    killStandInEnvoy();
    if (cp != null) {
      cp.close();
    }
    if (admin != null) {
      admin.close();
    }
    http.shutdownNow();
  }

  private void killStandInEnvoy() {
    standInPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
  }

  private java.util.Optional<Long> standInPid() {
    try {
      Path f = tmp.resolve("envoy.pid");
      return Files.exists(f) ? java.util.Optional.of(Long.parseLong(Files.readString(f).strip())) : java.util.Optional.empty();
    } catch (Exception e) {
      return java.util.Optional.empty();
    }
  }

  private Process startAgent(String envoyBody, Map<String, String> extraEnv, String... extraArgs) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path envoy = Scripts.fakeEnvoy(bin, "1.39.3", envoyBody);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
        "-cp", System.getProperty("java.class.path"),
        AgentMain.class.getName(), "run", "--name", "dp-1", "--mesh", "default",
        "--cp-address", cp.address(), "--binary-path", envoy.toString(), "--concurrency", "1",
        "--dns-proxy-port", Integer.toString(Ports.free())));
    cmd.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectOutput(tmp.resolve("agent.out").toFile())
        .redirectError(tmp.resolve("agent.err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("KUMA_"));
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    agents.add(p);
    return p;
  }

  private HttpResponse<String> ready(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String stderr() throws Exception {
    return Files.readString(tmp.resolve("agent.err"));
  }

  private static final String LOOPING_ENVOY = "echo $$ > \"$(dirname \"$0\")/../envoy.pid\"\n"
      + "trap 'exit 0' TERM\nwhile :; do sleep 0.1; done";

  @Test
  void firstSigtermDrainsSecondStopsAtOnce() throws Exception {
    admin = new FakeEnvoyAdmin();
    admin.activeConnections.set(2);
    cp = new FakeControlPlane(Answer.ok(admin.bootstrap()));
    int readinessPort = Ports.free();
    Process agent = startAgent(LOOPING_ENVOY, Map.of(), "--readiness-port", Integer.toString(readinessPort),
        "--drain-time", "5m");

    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ready(readinessPort).body().equals("READY"));
    agent.destroy(); // SIGTERM
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.calls().containsAll(
        List.of("POST /healthcheck/fail", "POST /drain_listeners?inboundonly&graceful")));
    HttpResponse<String> r = ready(readinessPort);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("TERMINATING");
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.calls().stream().anyMatch(c -> c.startsWith("GET /stats")));
    assertThat(agent.isAlive()).as("still draining: inbound connections are active").isTrue();

    agent.destroy(); // second SIGTERM
    await().atMost(Duration.ofSeconds(20)).until(() -> !agent.isAlive());
    assertThat(agent.exitValue()).isZero();
    long envoyPid = standInPid().orElseThrow();
    assertThat(ProcessHandle.of(envoyPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(stderr()).contains("received SIGTERM again: stopping Envoy now");
  }

  @Test
  void anIdleProxyStopsWithoutWaitingForTheWholeDrainTime() throws Exception {
    admin = new FakeEnvoyAdmin();
    cp = new FakeControlPlane(Answer.ok(admin.bootstrap()));
    int readinessPort = Ports.free();
    Process agent = startAgent(LOOPING_ENVOY, Map.of(), "--readiness-port", Integer.toString(readinessPort),
        "--drain-time", "5m");
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ready(readinessPort).body().equals("READY"));
    Path workDir = Path.of(new com.fasterxml.jackson.databind.ObjectMapper().readTree(cp.requests().get(0)).path("workdir").asText());
    assertThat(workDir.resolve("bootstrap.yaml")).exists();

    agent.destroy();
    await().atMost(Duration.ofSeconds(60)).until(() -> !agent.isAlive());
    assertThat(agent.exitValue()).isZero();
    assertThat(admin.calls()).contains("POST /healthcheck/fail", "POST /drain_listeners?inboundonly&graceful");
    assertThat(stderr()).contains("no inbound connection left");
    assertThat(workDir).doesNotExist();
  }

  @Test
  void withRestartsOffTheAgentExitsWhenEnvoyFails() throws Exception {
    admin = new FakeEnvoyAdmin();
    cp = new FakeControlPlane(Answer.ok(admin.bootstrap()));
    Process agent = startAgent("exit 1", Map.of(), "--readiness-port", Integer.toString(Ports.free()),
        "--envoy-restart=false");
    await().atMost(Duration.ofSeconds(30)).until(() -> !agent.isAlive());
    assertThat(agent.exitValue()).isEqualTo(1);
  }

  @Test
  void aDataplaneThatNeverAppearsEndsWithOneLine() throws Exception {
    cp = new FakeControlPlane(Answer.notFound());
    Process agent = startAgent(LOOPING_ENVOY,
        Map.of("KUMA_CONTROL_PLANE_RETRY_BACKOFF", "20ms", "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "200ms"),
        "--readiness-port", Integer.toString(Ports.free()));
    await().atMost(Duration.ofSeconds(30)).until(() -> !agent.isAlive());
    assertThat(agent.exitValue()).isEqualTo(1);
    List<String> errors = stderr().lines().filter(l -> l.startsWith("Error: ")).toList();
    assertThat(errors).containsExactly("Error: Dataplane \"default/dp-1\" was not found on the control plane "
        + cp.address() + " (gave up after 200ms): apply it first (kumactl apply -f dataplane.yaml) or pass it with --dataplane-file");
    assertThat(stderr().lines().reduce((a, b) -> b).orElse("")).startsWith("Error: ");
  }
}
