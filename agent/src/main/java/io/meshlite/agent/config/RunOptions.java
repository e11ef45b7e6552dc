package io.meshlite.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The flags of {@code kuma-dp run}, as typed. Unset flags stay null so the loader can tell "not
 * given" from a default. {@link ConfigLoader} merges them with the environment.
 */
public final class RunOptions {
  String name;
  String mesh;
  String proxyType;
  String cpAddress;
  String caCertFile;
  Boolean skipVerify;
  String dataplaneToken;
  String dataplaneTokenFile;
  String dataplane;
  String dataplaneFile;
  Map<String, String> dataplaneVars = new LinkedHashMap<>();
  String binaryPath;
  String workDir;
  Integer concurrency;
  String drainTime;
  String envoyLogLevel;
  String envoyComponentLogLevel;
  Integer adminPort;
  Integer readinessPort;
  Boolean dnsEnabled;
  Integer dnsProxyPort;
  String metricsCertPath;
  String metricsKeyPath;
  Integer metricsPort;
  String metricsAddress;
  Boolean bindOutbounds;
  Boolean envoyRestart;
  String runEnvoyAs;
  Boolean ignoreEnvoyCompatibility;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Class<Map<String, String>> MAP = (Class) Map.class;

  /**
   * {@code kuma-dp run}'s command model, bound to {@code o}'s fields (options in this order in the
   * help, as Kuma lists them).
   */
  public static CommandSpec spec(RunOptions o) {
    CommandSpec s = CommandSpec.wrapWithoutInspection(o).name("run");
    s.usageMessage().description("Launch Dataplane (Envoy)").sortOptions(false);
    s.addOption(Flags.option(String.class, () -> o.name, v -> o.name = v, "<name>",
            "Name of the Dataplane (env KUMA_DATAPLANE_NAME)",
            "--name").build());
    s.addOption(Flags.option(String.class, () -> o.mesh, v -> o.mesh = v, "<mesh>",
            "Mesh that Dataplane belongs to (env KUMA_DATAPLANE_MESH)",
            "--mesh").build());
    s.addOption(Flags.option(String.class, () -> o.proxyType, v -> o.proxyType = v, "<proxyType>",
            "Type of the proxy; only 'dataplane' (env KUMA_DATAPLANE_PROXY_TYPE)",
            "--proxy-type").build());
    s.addOption(Flags.option(String.class, () -> o.cpAddress, v -> o.cpAddress = v, "<cpAddress>",
            "URL of the control plane's dataplane server (default https://localhost:5678; env KUMA_CONTROL_PLANE_URL)",
            "--cp-address").build());
    s.addOption(Flags.option(String.class, () -> o.caCertFile, v -> o.caCertFile = v, "<caCertFile>",
            "CA certificate of the control plane (env KUMA_CONTROL_PLANE_CA_CERT_FILE)",
            "--ca-cert-file").build());
    s.addOption(Flags.option(Boolean.class, () -> o.skipVerify, v -> o.skipVerify = v, "<skipVerify>",
            "Do not verify the control plane's certificate for the bootstrap request; Envoy then trusts the CA"
          + " the control plane hands out (env KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY)",
            "--skip-verify").arity("0..1").build());
    s.addOption(Flags.option(String.class, () -> o.dataplaneToken, v -> o.dataplaneToken = v, "<dataplaneToken>",
            "Dataplane token (env KUMA_DATAPLANE_RUNTIME_TOKEN)",
            "--dataplane-token").build());
    s.addOption(Flags.option(String.class, () -> o.dataplaneTokenFile, v -> o.dataplaneTokenFile = v, "<dataplaneTokenFile>",
            "File with the Dataplane token (env KUMA_DATAPLANE_RUNTIME_TOKEN_PATH)",
            "--dataplane-token-file").build());
    s.addOption(Flags.option(String.class, () -> o.dataplane, v -> o.dataplane = v, "<dataplane>",
            "Dataplane resource, YAML or JSON (env KUMA_DATAPLANE_RUNTIME_RESOURCE)",
            "--dataplane").build());
    s.addOption(Flags.option(String.class, () -> o.dataplaneFile, v -> o.dataplaneFile = v, "<dataplaneFile>",
            "File with the Dataplane resource, '-' for stdin (env KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH)",
            "-d", "--dataplane-file").build());
    s.addOption(Flags.option(MAP, () -> o.dataplaneVars, v -> o.dataplaneVars = v, "KEY=VALUE",
            "Variable for the Dataplane template ({{ key }} or {{ .key }}); repeatable",
            "-v", "--dataplane-var")
        .auxiliaryTypes(String.class, String.class).build());
    s.addOption(Flags.option(String.class, () -> o.binaryPath, v -> o.binaryPath = v, "<binaryPath>",
            "Envoy binary (default envoy: PATH, ./envoy, next to kuma-dp; env KUMA_DATAPLANE_RUNTIME_BINARY_PATH)",
            "--binary-path").build());
    s.addOption(Flags.option(String.class, () -> o.workDir, v -> o.workDir = v, "<workDir>",
            "Working directory for the bootstrap and sockets (default: a temporary kuma-dp-* directory; env KUMA_DATAPLANE_RUNTIME_WORK_DIR)",
            "--work-dir", "--config-dir").build());
    s.addOption(Flags.option(Integer.class, () -> o.concurrency, v -> o.concurrency = v, "<concurrency>",
            "Envoy worker threads; 0 means --cpuset-threads (env KUMA_DATAPLANE_RUNTIME_CONCURRENCY)",
            "--concurrency").build());
    s.addOption(Flags.option(String.class, () -> o.drainTime, v -> o.drainTime = v, "<drainTime>",
            "Drain time on shutdown (default 30s; env KUMA_DATAPLANE_DRAIN_TIME)",
            "--drain-time").build());
    s.addOption(Flags.option(String.class, () -> o.envoyLogLevel, v -> o.envoyLogLevel = v, "<envoyLogLevel>",
            "Envoy log level (default: --log-level; env KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL)",
            "--envoy-log-level").build());
    s.addOption(Flags.option(String.class, () -> o.envoyComponentLogLevel, v -> o.envoyComponentLogLevel = v, "<envoyComponentLogLevel>",
            "Envoy component log levels (env KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL)",
            "--envoy-component-log-level").build());
    s.addOption(Flags.option(Integer.class, () -> o.adminPort, v -> o.adminPort = v, "<adminPort>",
            "Envoy admin port asked of the control plane (default: the control plane's, 9901; env KUMA_DATAPLANE_ADMIN_PORT)",
            "--admin-port").build());
    s.addOption(Flags.option(Integer.class, () -> o.readinessPort, v -> o.readinessPort = v, "<readinessPort>",
            "Readiness endpoint port (default 9902; env KUMA_READINESS_PORT)",
            "--readiness-port").build());
    s.addOption(Flags.option(Boolean.class, () -> o.dnsEnabled, v -> o.dnsEnabled = v, "<dnsEnabled>",
            "Serve the embedded DNS stub for <service>.mesh names (default true; env KUMA_DNS_ENABLED)",
            "--dns-enabled").arity("0..1").build());
    s.addOption(Flags.option(Integer.class, () -> o.dnsProxyPort, v -> o.dnsProxyPort = v, "<dnsProxyPort>",
            "Embedded DNS proxy port (default 15053; env KUMA_DNS_PROXY_PORT)",
            "--dns-proxy-port").build());
    s.addOption(Flags.option(String.class, () -> o.metricsCertPath, v -> o.metricsCertPath = v, "<metricsCertPath>",
            "Certificate for the metrics listener (env KUMA_DATAPLANE_RUNTIME_METRICS_CERT_PATH)",
            "--metrics-cert-path").build());
    s.addOption(Flags.option(String.class, () -> o.metricsKeyPath, v -> o.metricsKeyPath = v, "<metricsKeyPath>",
            "Key for the metrics listener (env KUMA_DATAPLANE_RUNTIME_METRICS_KEY_PATH)",
            "--metrics-key-path").build());
    s.addOption(Flags.option(Integer.class, () -> o.metricsPort, v -> o.metricsPort = v, "<metricsPort>",
            "Also serve Envoy's and the application's merged Prometheus metrics on this TCP port (default 0: only on the Unix socket kuma-mh-<name>-<mesh>.sock in the work dir; env KUMA_DATAPLANE_RUNTIME_METRICS_PORT)",
            "--metrics-port").build());
    s.addOption(Flags.option(String.class, () -> o.metricsAddress, v -> o.metricsAddress = v, "<metricsAddress>",
            "Address for --metrics-port (default 127.0.0.1; env KUMA_DATAPLANE_RUNTIME_METRICS_ADDRESS)",
            "--metrics-address").build());
    s.addOption(Flags.option(Boolean.class, () -> o.bindOutbounds, v -> o.bindOutbounds = v, "<bindOutbounds>",
            "Outbounds listen on real 127.x addresses (env KUMA_DATAPLANE_RUNTIME_BIND_OUTBOUNDS)",
            "--bind-outbounds").arity("0..1").build());
    s.addOption(Flags.option(Boolean.class, () -> o.envoyRestart, v -> o.envoyRestart = v, "<envoyRestart>",
            "Restart Envoy with backoff when it exits unexpectedly (default true; false exits as Kuma does; env KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART)",
            "--envoy-restart").arity("0..1").build());
    s.addOption(Flags.option(String.class, () -> o.runEnvoyAs, v -> o.runEnvoyAs = v, "USER",
            "When kuma-dp runs as root: run Envoy as this user (name, uid or uid:gid), e.g. the transparent proxy's exempt user 5678 / kuma-dp (env KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS)",
            "--run-envoy-as").build());
    s.addOption(Flags.option(Boolean.class, () -> o.ignoreEnvoyCompatibility, v -> o.ignoreEnvoyCompatibility = v, "<ignoreEnvoyCompatibility>",
            "Run an Envoy whose major.minor differs from the supported one (env KUMA_DATAPLANE_RUNTIME_IGNORE_ENVOY_COMPATIBILITY)",
            "--ignore-envoy-compatibility").arity("0..1").build());
    return Flags.withHelpOptions(s); // last: -h and -V end the unsorted help, as with annotations
  }
}
