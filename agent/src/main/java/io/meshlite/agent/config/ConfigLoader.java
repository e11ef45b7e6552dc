package io.meshlite.agent.config;

import io.meshlite.api.time.GoDuration;
import io.meshlite.api.validation.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds the {@link AgentConfig} from {@code kuma-dp run} flags and the environment, in one place.
 *
 * <p>Precedence is Kuma's: a set (non-empty) environment variable overrides the flag, the flag
 * overrides the default. Every problem is collected and reported at once, each naming the flag or
 * variable that carried the bad value.
 */
public final class ConfigLoader {
  /** Kuma's default dataplane-server address. */
  public static final String DEFAULT_CP_ADDRESS = "https://localhost:5678";

  static final Set<String> LOG_LEVELS = Set.of("off", "error", "info", "debug");
  static final Set<String> ENVOY_LOG_LEVELS =
      Set.of("trace", "debug", "info", "warning", "warn", "error", "critical", "off");
  private static final String TEMPLATE_HINT = "pass the Dataplane with --dataplane-file";

  private final Map<String, String> env;
  private final InputStream stdin;
  private final List<String> problems = new ArrayList<>();

  private ConfigLoader(Map<String, String> env, InputStream stdin) {
    this.env = env;
    this.stdin = stdin;
  }

  /**
   * Merges flags and environment and validates the result.
   *
   * @param stdin read when {@code --dataplane-file -} is given
   * @throws ConfigException listing every problem, on one line
   */
  public static AgentConfig load(RunOptions flags, LogOptions log, Map<String, String> env, InputStream stdin) {
    return load(flags, log, env, stdin, cp -> {});
  }

  /**
   * As {@link #load(RunOptions, LogOptions, Map, InputStream)}, and hands the control plane's settings to
   * {@code controlPlaneReady} as soon as they are read and valid, before the rest (the Dataplane template,
   * Envoy, runtime) is: kuma-dp starts its TLS handshake there, off the path to the bootstrap request.
   */
  public static AgentConfig load(
      RunOptions flags, LogOptions log, Map<String, String> env, InputStream stdin,
      Consumer<AgentConfig.ControlPlane> controlPlaneReady) {
    return new ConfigLoader(env, stdin).build(flags, log, controlPlaneReady);
  }

  private AgentConfig build(RunOptions f, LogOptions log, Consumer<AgentConfig.ControlPlane> controlPlaneReady) {
    AgentConfig.ControlPlane cp = controlPlane(f);
    if (problems.isEmpty()) {
      controlPlaneReady.accept(cp);
    }
    String logLevel = log.level() == null ? "info" : log.level().toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      problems.add("--log-level: \"" + log.level() + "\" is not valid (expected: off, error, info or debug)");
    }

    AgentConfig.Dataplane dataplane = dataplane(f);
    AgentConfig.Token token = token(f);
    AgentConfig.Envoy envoy = envoy(f, LOG_LEVELS.contains(logLevel) ? logLevel : "info");
    AgentConfig.Runtime runtime = runtime(f);
    AgentConfig.Metrics metrics = metrics(f);

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AgentConfig(dataplane, cp, token, envoy, runtime, logLevel, metrics);
  }

  private AgentConfig.Dataplane dataplane(RunOptions f) {
    String name = str(f.name, "--name", "KUMA_DATAPLANE_NAME", "");
    String mesh = str(f.mesh, "--mesh", "KUMA_DATAPLANE_MESH", "");
    String proxyType = str(f.proxyType, "--proxy-type", "KUMA_DATAPLANE_PROXY_TYPE", "dataplane");
    String podName = env.getOrDefault("POD_NAME", "");
    String podNamespace = env.getOrDefault("POD_NAMESPACE", "");
    if ((name.isEmpty() || name.chars().anyMatch(c -> "$(){}".indexOf(c) >= 0))
        && !podName.isEmpty()
        && !podNamespace.isEmpty()) {
      name = podName + "." + podNamespace;
    }

    String resourceText = dataplaneText(f);
    if (resourceText != null) {
      if (!name.isEmpty() || !mesh.isEmpty()) {
        problems.add(
            "--name and --mesh cannot be given together with a Dataplane resource: "
                + "name and mesh are read from the resource");
        return new AgentConfig.Dataplane(name, mesh, proxyType, null);
      }
      String rendered;
      try {
        rendered = DataplaneTemplate.render(resourceText, f.dataplaneVars);
      } catch (IllegalArgumentException e) {
        problems.add("--dataplane-file: " + e.getMessage());
        return new AgentConfig.Dataplane(name, mesh, proxyType, null);
      }
      try {
        DataplaneResource r = DataplaneResource.parse(rendered);
        return new AgentConfig.Dataplane(r.name(), r.mesh(), proxyType, r.json());
      } catch (ValidationException e) {
        problems.add("--dataplane-file: " + e.getMessage());
        return new AgentConfig.Dataplane(name, mesh, proxyType, null);
      }
    }

    if (mesh.isEmpty()) {
      problems.add("--mesh (KUMA_DATAPLANE_MESH): must be set (or " + TEMPLATE_HINT + ")");
    } else if (mesh.contains(".")) {
      problems.add("--mesh: \"" + mesh + "\" must not contain a dot (the node id is <mesh>.<name>)");
    }
    if (name.isEmpty()) {
      problems.add("--name (KUMA_DATAPLANE_NAME): must be set (or " + TEMPLATE_HINT + ")");
    }
    if (!proxyType.equals("dataplane")) {
      problems.add(where(f.proxyType, "--proxy-type", "KUMA_DATAPLANE_PROXY_TYPE")
          + ": \"" + proxyType + "\" is not supported (expected: dataplane)");
    }
    return new AgentConfig.Dataplane(name, mesh, proxyType, null);
  }

  /** The Dataplane text: the file wins over the inline value, as in Kuma; null when none. */
  private String dataplaneText(RunOptions f) {
    String file = str(f.dataplaneFile, "--dataplane-file", "KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH", "");
    if (!file.isEmpty()) {
      try {
        if (file.equals("-")) {
          return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        }
        return Files.readString(Path.of(file));
      } catch (IOException | RuntimeException e) {
        problems.add("--dataplane-file: cannot read " + file + " (" + e.getMessage() + ")");
        return null;
      }
    }
    String inline = str(f.dataplane, "--dataplane", "KUMA_DATAPLANE_RUNTIME_RESOURCE", "");
    return inline.isBlank() ? null : inline;
  }

  private AgentConfig.ControlPlane controlPlane(RunOptions f) {
    String address = str(f.cpAddress, "--cp-address", "KUMA_CONTROL_PLANE_URL", DEFAULT_CP_ADDRESS);
    String label = where(f.cpAddress, "--cp-address", "KUMA_CONTROL_PLANE_URL");
    URI uri = null;
    try {
      uri = new URI(address.endsWith("/") ? address.substring(0, address.length() - 1) : address);
      if (uri.getScheme() == null
          || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
          || uri.getHost() == null) {
        problems.add(label + ": \"" + address + "\" is not valid (expected: http(s)://host:port, e.g. "
            + DEFAULT_CP_ADDRESS + ")");
        uri = null;
      }
    } catch (URISyntaxException e) {
      problems.add(label + ": \"" + address + "\" is not a URL (" + e.getReason() + ")");
    }

    String caCert = env.getOrDefault("KUMA_CONTROL_PLANE_CA_CERT", "");
    String caSource = caCert.isEmpty() ? "" : "KUMA_CONTROL_PLANE_CA_CERT";
    String caFile = str(f.caCertFile, "--ca-cert-file", "KUMA_CONTROL_PLANE_CA_CERT_FILE", "");
    if (caCert.isEmpty() && !caFile.isEmpty()) {
      caSource = caFile;
      try {
        caCert = Files.readString(Path.of(caFile));
      } catch (IOException | RuntimeException e) {
        problems.add(where(f.caCertFile, "--ca-cert-file", "KUMA_CONTROL_PLANE_CA_CERT_FILE")
            + ": cannot read " + caFile + " (" + e.getMessage() + ")");
      }
    }
    boolean skipVerify = bool(f.skipVerify, "--skip-verify", "KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY", false);
    Duration backoff = positive(duration(null, null, "KUMA_CONTROL_PLANE_RETRY_BACKOFF", "3s"),
        "KUMA_CONTROL_PLANE_RETRY_BACKOFF");
    Duration max = positive(duration(null, null, "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "5m"),
        "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION");
    return new AgentConfig.ControlPlane(uri, caCert, skipVerify, backoff, max, caSource);
  }

  private AgentConfig.Token token(RunOptions f) {
    String inline = str(f.dataplaneToken, "--dataplane-token", "KUMA_DATAPLANE_RUNTIME_TOKEN", "");
    String file = str(f.dataplaneTokenFile, "--dataplane-token-file", "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", "");
    Path path = null;
    if (!file.isEmpty()) {
      path = Path.of(file);
      String label = where(f.dataplaneTokenFile, "--dataplane-token-file", "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH");
      try {
        if (Files.size(path) == 0) {
          problems.add(label + ": " + file + " is empty (expected: a dataplane token, see kumactl generate dataplane-token)");
        }
      } catch (IOException | RuntimeException e) {
        problems.add(label + ": cannot read " + file + " (expected: a file with a dataplane token)");
      }
    }
    return new AgentConfig.Token(inline.isBlank() ? null : inline.strip(), path);
  }

  private AgentConfig.Envoy envoy(RunOptions f, String kumaDpLogLevel) {
    String binary = str(f.binaryPath, "--binary-path", "KUMA_DATAPLANE_RUNTIME_BINARY_PATH", "envoy");
    if (binary.isBlank()) {
      problems.add("--binary-path (KUMA_DATAPLANE_RUNTIME_BINARY_PATH): must not be empty");
    }
    String level = str(f.envoyLogLevel, "--envoy-log-level", "KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL", "");
    if (level.isEmpty()) {
      level = kumaDpLogLevel;
    } else if (!ENVOY_LOG_LEVELS.contains(level.toLowerCase(Locale.ROOT))) {
      problems.add(where(f.envoyLogLevel, "--envoy-log-level", "KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL")
          + ": \"" + level + "\" is not valid (expected: trace, debug, info, warning, error, critical or off)");
    }
    String component = str(f.envoyComponentLogLevel, "--envoy-component-log-level",
        "KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL", "");
    Integer concurrency = integer(f.concurrency, "--concurrency", "KUMA_DATAPLANE_RUNTIME_CONCURRENCY", 0);
    if (concurrency != null && concurrency < 0) {
      problems.add(where(f.concurrency, "--concurrency", "KUMA_DATAPLANE_RUNTIME_CONCURRENCY")
          + ": " + concurrency + " must not be negative");
    }
    Duration drain = positive(duration(f.drainTime, "--drain-time", "KUMA_DATAPLANE_DRAIN_TIME", "30s"),
        where(f.drainTime, "--drain-time", "KUMA_DATAPLANE_DRAIN_TIME"));
    Integer adminPort = integer(f.adminPort, "--admin-port", "KUMA_DATAPLANE_ADMIN_PORT", null);
    port(adminPort, where(f.adminPort, "--admin-port", "KUMA_DATAPLANE_ADMIN_PORT"));

    boolean restart = bool(f.envoyRestart, "--envoy-restart", "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART", true);
    Duration base = positive(duration(null, null, "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF", "1s"),
        "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF");
    Duration max = positive(duration(null, null, "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF", "30s"),
        "KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF");
    if (base != null && max != null && base.compareTo(max) > 0) {
      problems.add("KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_BASE_BACKOFF: " + GoDuration.format(base)
          + " must not exceed KUMA_DATAPLANE_RUNTIME_ENVOY_RESTART_MAX_BACKOFF " + GoDuration.format(max));
    }
    boolean ignore = bool(f.ignoreEnvoyCompatibility, "--ignore-envoy-compatibility",
        "KUMA_DATAPLANE_RUNTIME_IGNORE_ENVOY_COMPATIBILITY", false);
    String runAs = str(f.runEnvoyAs, "--run-envoy-as", "KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS", "").strip();
    if (!runAs.isEmpty() && !runAs.matches("[a-z_][a-z0-9_.-]*[$]?|[0-9]+(:[0-9]+)?")) {
      problems.add(where(f.runEnvoyAs, "--run-envoy-as", "KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS")
          + ": \"" + runAs + "\" is not a user (expected: a user name, a uid or uid:gid, e.g. kuma-dp or 5678)");
    }
    return new AgentConfig.Envoy(
        binary,
        level.toLowerCase(Locale.ROOT),
        component,
        concurrency == null ? 0 : concurrency,
        drain,
        adminPort,
        new AgentConfig.Restart(restart, base, max),
        ignore,
        runAs);
  }

  /** Kuma 2.x: {@code DELTA_GRPC} asks the control plane for an incremental-xDS bootstrap. */
  static final String XDS_VARIANT_ENV = "KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT";

  private AgentConfig.Runtime runtime(RunOptions f) {
    String workDir = str(f.workDir, "--work-dir", "KUMA_DATAPLANE_RUNTIME_WORK_DIR", "");
    Integer readiness = integer(f.readinessPort, "--readiness-port", "KUMA_READINESS_PORT", 9902);
    port(readiness, where(f.readinessPort, "--readiness-port", "KUMA_READINESS_PORT"));
    boolean dns = bool(f.dnsEnabled, "--dns-enabled", "KUMA_DNS_ENABLED", true);
    Integer dnsPort = integer(f.dnsProxyPort, "--dns-proxy-port", "KUMA_DNS_PROXY_PORT", 15053);
    port(dnsPort, where(f.dnsProxyPort, "--dns-proxy-port", "KUMA_DNS_PROXY_PORT"));
    String certPath = str(f.metricsCertPath, "--metrics-cert-path", "KUMA_DATAPLANE_RUNTIME_METRICS_CERT_PATH", "");
    String keyPath = str(f.metricsKeyPath, "--metrics-key-path", "KUMA_DATAPLANE_RUNTIME_METRICS_KEY_PATH", "");
    boolean bindOutbounds = bool(f.bindOutbounds, "--bind-outbounds", "KUMA_DATAPLANE_RUNTIME_BIND_OUTBOUNDS", false);
    Map<String, String> metadata = new LinkedHashMap<>();
    String hostIp = env.getOrDefault("HOST_IP", "");
    if (!hostIp.isEmpty()) {
      metadata.put("HOST_IP", hostIp);
    }
    long maxMemory = parse(null, null, "KUMA_DATAPLANE_RESOURCES_MAX_MEMORY_BYTES", "0", Long::parseLong,
        "is not a number of bytes");
    String variant = env.getOrDefault(XDS_VARIANT_ENV, "GRPC").strip();
    if (!variant.equals("GRPC") && !variant.equals("DELTA_GRPC")) {
      problems.add(XDS_VARIANT_ENV + ": \"" + variant + "\" is not a transport protocol variant (expected: GRPC or DELTA_GRPC)");
    }
    return new AgentConfig.Runtime(
        workDir.isEmpty() ? null : Path.of(workDir),
        readiness == null ? 9902 : readiness,
        dns,
        dnsPort == null ? 15053 : dnsPort,
        certPath,
        keyPath,
        bindOutbounds,
        metadata,
        maxMemory,
        variant.equals("DELTA_GRPC"));
  }

  private AgentConfig.Metrics metrics(RunOptions f) {
    Integer port = integer(f.metricsPort, "--metrics-port", "KUMA_DATAPLANE_RUNTIME_METRICS_PORT", 0);
    String label = where(f.metricsPort, "--metrics-port", "KUMA_DATAPLANE_RUNTIME_METRICS_PORT");
    if (port != null && (port < 0 || port > 65535)) {
      problems.add(label + ": " + port + " is not a port (expected: 1-65535, or 0 for none)");
    }
    String address = str(f.metricsAddress, "--metrics-address", "KUMA_DATAPLANE_RUNTIME_METRICS_ADDRESS", "127.0.0.1");
    if (address.isBlank()) {
      problems.add("--metrics-address (KUMA_DATAPLANE_RUNTIME_METRICS_ADDRESS): must not be empty");
    }
    return new AgentConfig.Metrics(true, address.strip(), port == null ? 0 : port);
  }

  // --- value helpers: environment beats flag beats default -----------------------------------

  private String envValue(String envVar) {
    if (envVar == null) {
      return null;
    }
    String v = env.get(envVar);
    return v == null || v.isEmpty() ? null : v;
  }

  private String where(Object flagValue, String flag, String envVar) {
    if (envValue(envVar) != null || flag == null) {
      return envVar;
    }
    return flagValue != null ? flag : flag + " (" + envVar + ")";
  }

  private String str(String flagValue, String flag, String envVar, String def) {
    String e = envValue(envVar);
    if (e != null) {
      return e;
    }
    return flagValue != null ? flagValue : def;
  }

  private Integer integer(Integer flagValue, String flag, String envVar, Integer def) {
    return parse(flagValue, flag, envVar, def == null ? null : def.toString(), Integer::parseInt,
        "is not a whole number");
  }

  private boolean bool(Boolean flagValue, String flag, String envVar, boolean def) {
    Boolean b = parse(flagValue, flag, envVar, Boolean.toString(def), ConfigLoader::parseBool,
        "is not a boolean (expected: true or false)");
    return b == null ? def : b;
  }

  private Duration duration(String flagValue, String flag, String envVar, String def) {
    String e = envValue(envVar);
    String text = e != null ? e : flagValue != null ? flagValue : def;
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException ex) {
      problems.add((e != null ? envVar : flag) + ": " + ex.getMessage());
      return null;
    }
  }

  private <T> T parse(T flagValue, String flag, String envVar, String def, Function<String, T> parser, String error) {
    String e = envValue(envVar);
    if (e == null && flagValue != null) {
      return flagValue;
    }
    String text = e != null ? e : def;
    if (text == null) {
      return null;
    }
    try {
      return parser.apply(text.trim());
    } catch (IllegalArgumentException ex) {
      problems.add((e != null ? envVar : flag) + ": \"" + text + "\" " + error);
      return null;
    }
  }

  private Duration positive(Duration d, String label) {
    if (d != null && (d.isNegative() || d.isZero())) {
      problems.add(label + ": " + GoDuration.format(d) + " must be greater than 0");
      return null;
    }
    return d;
  }

  private void port(Integer port, String label) {
    if (port != null && (port <= 0 || port > 65535)) {
      problems.add(label + ": " + port + " is not a port (expected: 1-65535)");
    }
  }

  /** Go's {@code strconv.ParseBool}. */
  static Boolean parseBool(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new IllegalArgumentException(s);
    };
  }
}
