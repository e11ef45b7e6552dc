package io.meshlite.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigLoaderTest {
  @TempDir Path tmp;

  private static AgentConfig load(Map<String, String> env, String... args) {
    return load(env, new ByteArrayInputStream(new byte[0]), args);
  }

  private static AgentConfig load(Map<String, String> env, InputStream stdin, String... args) {
    RunOptions run = new RunOptions();
    new CommandLine(RunOptions.spec(run)).parseArgs(args);
    return ConfigLoader.load(run, new LogOptions(), env, stdin);
  }

  private static String error(Map<String, String> env, String... args) {
    try {
      load(env, args);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaultsAreKumas() {
    AgentConfig c = load(Map.of(), "--name", "dp-1", "--mesh", "default");
    assertThat(c.dataplane()).isEqualTo(new AgentConfig.Dataplane("dp-1", "default", "dataplane", null));
    assertThat(c.controlPlane().address()).isEqualTo(URI.create("https://localhost:5678"));
    assertThat(c.controlPlane().caCert()).isEmpty();
    assertThat(c.controlPlane().retryBackoff()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.controlPlane().retryMaxDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.token()).isEqualTo(new AgentConfig.Token(null, null));
    assertThat(c.envoy()).isEqualTo(new AgentConfig.Envoy(
        "envoy", "info", "", 0, Duration.ofSeconds(30), null,
        new AgentConfig.Restart(true, Duration.ofSeconds(1), Duration.ofSeconds(30)), false));
    assertThat(c.runtime()).isEqualTo(new AgentConfig.Runtime(
        null, 9902, true, 15053, "", "", false, Map.of(), 0, false));
    assertThat(c.logLevel()).isEqualTo("info");
    assertThat(c.metrics()).isEqualTo(new AgentConfig.Metrics(true, "127.0.0.1", 0));
  }

  @Test
  void metricsPortFromFlagOrEnvironment() {
    AgentConfig c = load(Map.of(), "--name", "dp-1", "--mesh", "default", "--metrics-port", "9102",
        "--metrics-address", "0.0.0.0");
    assertThat(c.metrics()).isEqualTo(new AgentConfig.Metrics(true, "0.0.0.0", 9102));
    c = load(Map.of("KUMA_DATAPLANE_RUNTIME_METRICS_PORT", "9103"), "--name", "dp-1", "--mesh", "default",
        "--metrics-port", "9102");
    assertThat(c.metrics().port()).isEqualTo(9103);
    assertThat(error(Map.of(), "--name", "dp-1", "--mesh", "default", "--metrics-port", "70000"))
        .contains("--metrics-port: 70000 is not a port");
  }

  @Test
  void flagsAreRead() throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "jwt\n");
    AgentConfig c = load(Map.of(),
        "--name", "dp-1", "--mesh", "demo", "--cp-address", "http://127.0.0.1:5678/",
        "--dataplane-token-file", token.toString(), "--admin-port", "9911", "--binary-path", "/opt/envoy",
        "--work-dir", tmp.toString(), "--drain-time", "5s", "--envoy-log-level", "warning",
        "--concurrency", "2", "--readiness-port", "19902", "--dns-enabled=false", "--dns-proxy-port", "15054",
        "--envoy-restart=false", "--ignore-envoy-compatibility", "--ca-cert-file", token.toString());
    assertThat(c.controlPlane().address()).isEqualTo(URI.create("http://127.0.0.1:5678"));
    assertThat(c.controlPlane().caCert()).isEqualTo("jwt\n");
    assertThat(c.token().file()).isEqualTo(token);
    assertThat(c.envoy().adminPort()).isEqualTo(9911);
    assertThat(c.envoy().binaryPath()).isEqualTo("/opt/envoy");
    assertThat(c.envoy().drainTime()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.envoy().logLevel()).isEqualTo("warning");
    assertThat(c.envoy().concurrency()).isEqualTo(2);
    assertThat(c.envoy().restart().enabled()).isFalse();
    assertThat(c.envoy().ignoreCompatibility()).isTrue();
    assertThat(c.runtime().workDir()).isEqualTo(tmp);
    assertThat(c.runtime().readinessPort()).isEqualTo(19902);
    assertThat(c.runtime().dnsEnabled()).isFalse();
    assertThat(c.runtime().dnsProxyPort()).isEqualTo(15054);
  }

  @Test
  void environmentOverridesFlagsAsInKuma() {
    Map<String, String> env = Map.ofEntries(
        Map.entry("KUMA_DATAPLANE_NAME", "from-env"),
        Map.entry("KUMA_DATAPLANE_MESH", "env-mesh"),
        Map.entry("KUMA_CONTROL_PLANE_URL", "http://cp.example:5678"),
        Map.entry("KUMA_DATAPLANE_ADMIN_PORT", "9999"),
        Map.entry("KUMA_DATAPLANE_DRAIN_TIME", "1m"),
        Map.entry("KUMA_READINESS_PORT", "9000"),
        Map.entry("KUMA_DATAPLANE_RUNTIME_BINARY_PATH", "/env/envoy"),
        Map.entry("KUMA_DATAPLANE_RUNTIME_TOKEN", " inline-jwt "),
        Map.entry("KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART", "false"),
        Map.entry("KUMA_CONTROL_PLANE_RETRY_BACKOFF", "10ms"),
        Map.entry("KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "1s"),
        Map.entry("KUMA_DNS_ENABLED", "false"),
        Map.entry("HOST_IP", "10.0.0.7"));
    AgentConfig c = load(env, "--name", "from-flag", "--mesh", "flag-mesh", "--admin-port", "1",
        "--drain-time", "2s", "--readiness-port", "2", "--binary-path", "/flag/envoy", "--envoy-restart=true",
        "--dns-enabled=true");
    assertThat(c.dataplane().name()).isEqualTo("from-env");
    assertThat(c.dataplane().mesh()).isEqualTo("env-mesh");
    assertThat(c.controlPlane().address()).isEqualTo(URI.create("http://cp.example:5678"));
    assertThat(c.envoy().adminPort()).isEqualTo(9999);
    assertThat(c.envoy().drainTime()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.runtime().readinessPort()).isEqualTo(9000);
    assertThat(c.envoy().binaryPath()).isEqualTo("/env/envoy");
    assertThat(c.token().inline()).isEqualTo("inline-jwt");
    assertThat(c.envoy().restart().enabled()).isFalse();
    assertThat(c.controlPlane().retryBackoff()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.controlPlane().retryMaxDuration()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.runtime().dnsEnabled()).isFalse();
    assertThat(c.runtime().dynamicMetadata()).containsEntry("HOST_IP", "10.0.0.7");
  }

  @Test
  void emptyEnvironmentVariablesDoNotOverride() {
    AgentConfig c = load(Map.of("KUMA_DATAPLANE_NAME", ""), "--name", "dp-1", "--mesh", "default");
    assertThat(c.dataplane().name()).isEqualTo("dp-1");
  }

  @Test
  void podNameAndNamespaceNameTheProxyOnKubernetes() {
    Map<String, String> env = Map.of("POD_NAME", "web-1", "POD_NAMESPACE", "shop");
    assertThat(load(env, "--mesh", "default").dataplane().name()).isEqualTo("web-1.shop");
    assertThat(load(env, "--mesh", "default", "--name", "$(POD_NAME)").dataplane().name()).isEqualTo("web-1.shop");
    assertThat(load(env, "--mesh", "default", "--name", "explicit").dataplane().name()).isEqualTo("explicit");
  }

  @Test
  void collectsEveryProblemOnOneLine() {
    String msg = error(Map.of("KUMA_DATAPLANE_DRAIN_TIME", "0s"),
        "--cp-address", "ftp://x", "--readiness-port", "70000", "--envoy-log-level", "loud", "--proxy-type", "ingress");
    assertThat(msg).startsWith("invalid configuration: ")
        .contains("--mesh (KUMA_DATAPLANE_MESH): must be set")
        .contains("--name (KUMA_DATAPLANE_NAME): must be set")
        .contains("--cp-address: \"ftp://x\" is not valid")
        .contains("--readiness-port: 70000 is not a port")
        .contains("--envoy-log-level: \"loud\" is not valid")
        .contains("--proxy-type: \"ingress\" is not supported (expected: dataplane)")
        .contains("KUMA_DATAPLANE_DRAIN_TIME: 0s must be greater than 0");
  }

  @Test
  void badEnvironmentValuesNameTheVariable() {
    String msg = error(Map.of("KUMA_DATAPLANE_ADMIN_PORT", "x", "KUMA_CONTROL_PLANE_RETRY_BACKOFF", "soon",
        "KUMA_DNS_ENABLED", "maybe"), "--name", "a", "--mesh", "m");
    assertThat(msg).contains("KUMA_DATAPLANE_ADMIN_PORT: \"x\" is not a whole number")
        .contains("KUMA_CONTROL_PLANE_RETRY_BACKOFF: \"soon\" is not a duration")
        .contains("KUMA_DNS_ENABLED: \"maybe\" is not a boolean");
  }

  @Test
  void deltaXdsIsAskedForThroughKumasTransportProtocolVariant() {
    String env = "KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT";
    assertThat(load(Map.of(env, "DELTA_GRPC"), "--name", "a", "--mesh", "m").runtime().deltaXds()).isTrue();
    assertThat(load(Map.of(env, "GRPC"), "--name", "a", "--mesh", "m").runtime().deltaXds()).isFalse();
    assertThat(error(Map.of(env, "delta"), "--name", "a", "--mesh", "m"))
        .contains(env + ": \"delta\" is not a transport protocol variant (expected: GRPC or DELTA_GRPC)");
  }

  @Test
  void missingOrEmptyTokenFileIsAnError() throws Exception {
    assertThat(error(Map.of(), "--name", "a", "--mesh", "m", "--dataplane-token-file", tmp.resolve("nope").toString()))
        .contains("--dataplane-token-file: cannot read");
    Path empty = Files.createFile(tmp.resolve("empty"));
    assertThat(error(Map.of(), "--name", "a", "--mesh", "m", "--dataplane-token-file", empty.toString()))
        .contains("is empty");
  }

  @Test
  void dataplaneFileGivesNameAndMeshAndIsSentAsJson() throws Exception {
    Path file = Files.writeString(tmp.resolve("dp.yaml"), """
        type: Dataplane
        mesh: {{ mesh }}
        name: {{ .name }}
        networking:
          address: 127.0.0.1
          inbound:
          - port: {{ port }}
            tags:
              kuma.io/service: web
        """);
    AgentConfig c = load(Map.of(), "--dataplane-file", file.toString(), "-v", "mesh=default", "-v", "name=web-1",
        "--dataplane-var", "port=8080");
    assertThat(c.dataplane().name()).isEqualTo("web-1");
    assertThat(c.dataplane().mesh()).isEqualTo("default");
    assertThat(c.dataplane().resourceJson())
        .contains("\"type\":\"Dataplane\"")
        .contains("\"name\":\"web-1\"")
        .contains("\"port\":8080");
  }

  @Test
  void dataplaneFromStdinAndInline() {
    String dp = "type: Dataplane\nmesh: default\nname: dp-s\nnetworking:\n  address: 127.0.0.1\n";
    AgentConfig fromStdin = load(Map.of(), new ByteArrayInputStream(dp.getBytes(StandardCharsets.UTF_8)), "-d", "-");
    assertThat(fromStdin.dataplane().name()).isEqualTo("dp-s");
    AgentConfig inline = load(Map.of("KUMA_DATAPLANE_RUNTIME_RESOURCE", dp));
    assertThat(inline.dataplane().name()).isEqualTo("dp-s");
  }

  @Test
  void dataplaneResourceProblems() throws Exception {
    Path dp = Files.writeString(tmp.resolve("dp.yaml"), "type: Dataplane\nmesh: default\nname: {{ name }}\n");
    assertThat(error(Map.of(), "-d", dp.toString())).contains("no value for template variable(s) name");
    assertThat(error(Map.of(), "-d", dp.toString(), "-v", "name=x", "--name", "x"))
        .contains("--name and --mesh cannot be given together with a Dataplane resource");
    Path mesh = Files.writeString(tmp.resolve("mesh.yaml"), "type: Mesh\nname: default\n");
    assertThat(error(Map.of(), "-d", mesh.toString())).contains("resource type is Mesh (expected: Dataplane)");
    assertThat(error(Map.of(), "-d", tmp.resolve("missing.yaml").toString())).contains("cannot read");
  }

  @Test
  void theControlPlaneIsHandedOverBeforeTheDataplaneIsRead() {
    List<String> events = new ArrayList<>();
    InputStream stdin = new InputStream() {
      @Override
      public int read() {
        events.add("stdin read");
        return -1;
      }
    };
    RunOptions run = new RunOptions();
    new CommandLine(RunOptions.spec(run)).parseArgs("--cp-address", "https://cp.example:5678", "-d", "-");
    assertThatThrownBy(() -> ConfigLoader.load(run, new LogOptions(), Map.of(), stdin,
            cp -> events.add("control plane " + cp.address())))
        .isInstanceOf(ConfigException.class);
    assertThat(events).first().isEqualTo("control plane https://cp.example:5678");
    assertThat(events).contains("stdin read");
  }

  @Test
  void anInvalidControlPlaneIsNotHandedOver() {
    RunOptions run = new RunOptions();
    new CommandLine(RunOptions.spec(run)).parseArgs("--cp-address", "ftp://cp", "--name", "a", "--mesh", "m");
    List<AgentConfig.ControlPlane> seen = new ArrayList<>();
    assertThatThrownBy(() -> ConfigLoader.load(run, new LogOptions(), Map.of(), InputStream.nullInputStream(), seen::add))
        .hasMessageContaining("--cp-address");
    assertThat(seen).isEmpty();
  }

  @Test
  void restartBackoffsAreConfigurable() {
    AgentConfig c = load(Map.of("KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF", "10ms",
        "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF", "40ms"), "--name", "a", "--mesh", "m");
    assertThat(c.envoy().restart()).isEqualTo(new AgentConfig.Restart(true, Duration.ofMillis(10), Duration.ofMillis(40)));
    assertThat(error(Map.of("KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF", "1m"), "--name", "a", "--mesh", "m"))
        .contains("must not exceed KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF");
  }

  @Test
  void tokenIsRedactedWhenLogged() {
    AgentConfig c = load(Map.of(), "--name", "a", "--mesh", "m", "--dataplane-token", "secret-jwt");
    assertThat(c.toString()).doesNotContain("secret-jwt").contains("<redacted>");
  }
}
