package io.meshlite.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flags of {@code kuma-dp run}, as typed. Unset flags stay null so the loader can tell "not
 * given" from a default. {@link ConfigLoader} merges them with the environment.
 */
@Command(
    name = "run",
    description = "Launch Dataplane (Envoy)",
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class RunOptions {
  @Option(names = "--name", description = "Name of the Dataplane (env KUMA_DATAPLANE_NAME)")
  String name;

  @Option(names = "--mesh", description = "Mesh that Dataplane belongs to (env KUMA_DATAPLANE_MESH)")
  String mesh;

  @Option(names = "--proxy-type", description = "Type of the proxy; only 'dataplane' (env KUMA_DATAPLANE_PROXY_TYPE)")
  String proxyType;

  @Option(
      names = "--cp-address",
      description = "URL of the control plane's dataplane server (default https://localhost:5678; env KUMA_CONTROL_PLANE_URL)")
  String cpAddress;

  @Option(names = "--ca-cert-file", description = "CA certificate of the control plane (env KUMA_CONTROL_PLANE_CA_CERT_FILE)")
  String caCertFile;

  @Option(
      names = "--skip-verify",
      arity = "0..1",
      description = "Do not verify the control plane's certificate for the bootstrap request; Envoy then trusts the CA"
          + " the control plane hands out (env KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY)")
  Boolean skipVerify;

  @Option(names = "--dataplane-token", description = "Dataplane token (env KUMA_DATAPLANE_RUNTIME_TOKEN)")
  String dataplaneToken;

  @Option(
      names = "--dataplane-token-file",
      description = "File with the Dataplane token (env KUMA_DATAPLANE_RUNTIME_TOKEN_PATH)")
  String dataplaneTokenFile;

  @Option(names = "--dataplane", description = "Dataplane resource, YAML or JSON (env KUMA_DATAPLANE_RUNTIME_RESOURCE)")
  String dataplane;

  @Option(
      names = {"-d", "--dataplane-file"},
      description = "File with the Dataplane resource, '-' for stdin (env KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH)")
  String dataplaneFile;

  @Option(
      names = {"-v", "--dataplane-var"},
      paramLabel = "KEY=VALUE",
      description = "Variable for the Dataplane template ({{ key }} or {{ .key }}); repeatable")
  Map<String, String> dataplaneVars = new LinkedHashMap<>();

  @Option(
      names = "--binary-path",
      description = "Envoy binary (default envoy: PATH, ./envoy, next to kuma-dp; env KUMA_DATAPLANE_RUNTIME_BINARY_PATH)")
  String binaryPath;

  @Option(
      names = {"--work-dir", "--config-dir"},
      description = "Working directory for the bootstrap and sockets (default: a temporary kuma-dp-* directory; env KUMA_DATAPLANE_RUNTIME_WORK_DIR)")
  String workDir;

  @Option(
      names = "--concurrency",
      description = "Envoy worker threads; 0 means --cpuset-threads (env KUMA_DATAPLANE_RUNTIME_CONCURRENCY)")
  Integer concurrency;

  @Option(names = "--drain-time", description = "Drain time on shutdown (default 30s; env KUMA_DATAPLANE_DRAIN_TIME)")
  String drainTime;

  @Option(
      names = "--envoy-log-level",
      description = "Envoy log level (default: --log-level; env KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL)")
  String envoyLogLevel;

  @Option(
      names = "--envoy-component-log-level",
      description = "Envoy component log levels (env KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL)")
  String envoyComponentLogLevel;

  @Option(
      names = "--admin-port",
      description = "Envoy admin port asked of the control plane (default: the control plane's, 9901; env KUMA_DATAPLANE_ADMIN_PORT)")
  Integer adminPort;

  @Option(names = "--readiness-port", description = "Readiness endpoint port (default 9902; env KUMA_READINESS_PORT)")
  Integer readinessPort;

  @Option(
      names = "--dns-enabled",
      arity = "0..1",
      description = "Serve the embedded DNS stub for <service>.mesh names (default true; env KUMA_DNS_ENABLED)")
  Boolean dnsEnabled;

  @Option(names = "--dns-proxy-port", description = "Embedded DNS proxy port (default 15053; env KUMA_DNS_PROXY_PORT)")
  Integer dnsProxyPort;

  @Option(
      names = "--metrics-cert-path",
      description = "Certificate for the metrics listener (env KUMA_DATAPLANE_RUNTIME_METRICS_CERT_PATH)")
  String metricsCertPath;

  @Option(
      names = "--metrics-key-path",
      description = "Key for the metrics listener (env KUMA_DATAPLANE_RUNTIME_METRICS_KEY_PATH)")
  String metricsKeyPath;

  @Option(
      names = "--metrics-port",
      description = "Also serve Envoy's and the application's merged Prometheus metrics on this TCP port (default 0: only on the Unix socket kuma-mh-<name>-<mesh>.sock in the work dir; env KUMA_DATAPLANE_RUNTIME_METRICS_PORT)")
  Integer metricsPort;

  @Option(
      names = "--metrics-address",
      description = "Address for --metrics-port (default 127.0.0.1; env KUMA_DATAPLANE_RUNTIME_METRICS_ADDRESS)")
  String metricsAddress;

  @Option(
      names = "--bind-outbounds",
      arity = "0..1",
      description = "Outbounds listen on real 127.x addresses (env KUMA_DATAPLANE_RUNTIME_BIND_OUTBOUNDS)")
  Boolean bindOutbounds;

  @Option(
      names = "--envoy-restart",
      arity = "0..1",
      description = "Restart Envoy with backoff when it exits unexpectedly (default true; false exits as Kuma does; env KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART)")
  Boolean envoyRestart;

  @Option(
      names = "--run-envoy-as",
      paramLabel = "USER",
      description = "When kuma-dp runs as root: run Envoy as this user (name, uid or uid:gid), e.g. the transparent proxy's exempt user 5678 / kuma-dp (env KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS)")
  String runEnvoyAs;

  @Option(
      names = "--ignore-envoy-compatibility",
      arity = "0..1",
      description = "Run an Envoy whose major.minor differs from the supported one (env KUMA_DATAPLANE_RUNTIME_IGNORE_ENVOY_COMPATIBILITY)")
  Boolean ignoreEnvoyCompatibility;
}
