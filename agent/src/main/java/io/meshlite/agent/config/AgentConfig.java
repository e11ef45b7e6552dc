package io.meshlite.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * kuma-dp's validated configuration. Built only by {@link ConfigLoader}; {@link #toString()} hides
 * the token so the record can be logged.
 *
 * @param dataplane which proxy this is
 * @param controlPlane where and how to fetch the bootstrap
 * @param token how the proxy authenticates
 * @param envoy how Envoy is run and supervised
 * @param runtime local ports, work directory and host facts
 * @param logLevel kuma-dp's log level (off, error, info, debug)
 * @param metrics where the merged Prometheus metrics are served
 */
public record AgentConfig(
    Dataplane dataplane,
    ControlPlane controlPlane,
    Token token,
    Envoy envoy,
    Runtime runtime,
    String logLevel,
    Metrics metrics) {

  /**
   * The metrics hijacker (Envoy's stats merged with the application's metrics).
   *
   * @param socket serve on Kuma's Unix socket {@code <workdir>/kuma-mh-<name>-<mesh>.sock}
   * @param address TCP address for {@code port}
   * @param port TCP port to serve on as well (ours, {@code --metrics-port}); 0 means none
   */
  public record Metrics(boolean socket, String address, int port) {
    /** Kuma's behaviour: the Unix socket only. */
    public static Metrics defaults() {
      return new Metrics(true, "127.0.0.1", 0);
    }
  }

  /**
   * The proxy's identity.
   *
   * @param resourceJson the Dataplane in Kuma's REST JSON form when one was passed, else null
   */
  public record Dataplane(String name, String mesh, String proxyType, String resourceJson) {}

  /**
   * The control plane's dataplane server.
   *
   * @param caCert PEM of the CA to trust, or "" for the system trust store
   * @param caCertSource where the CA came from, for messages: the file, {@code
   *     KUMA_CONTROL_PLANE_CA_CERT}, or "" when none was given
   */
  public record ControlPlane(
      URI address,
      String caCert,
      boolean skipVerify,
      Duration retryBackoff,
      Duration retryMaxDuration,
      String caCertSource) {
    public ControlPlane(URI address, String caCert, boolean skipVerify, Duration retryBackoff, Duration retryMaxDuration) {
      this(address, caCert, skipVerify, retryBackoff, retryMaxDuration, caCert.isBlank() ? "" : "KUMA_CONTROL_PLANE_CA_CERT");
    }
  }

  /**
   * The dataplane token: the inline value wins over the file, as in Kuma.
   *
   * @param inline the token text, or null
   * @param file the token file, or null
   */
  public record Token(String inline, Path file) {
    @Override
    public String toString() {
      return "Token[inline=" + (inline == null ? "none" : "<redacted>") + ", file=" + file + "]";
    }
  }

  /**
   * How Envoy runs.
   *
   * @param binaryPath {@code --binary-path} as given (resolved at start)
   * @param logLevel Envoy's {@code --log-level}
   * @param componentLogLevel Envoy's {@code --component-log-level}, or ""
   * @param concurrency worker threads; 0 means {@code --cpuset-threads}
   * @param adminPort the admin port asked of the control plane, or null for its default
   * @param restart whether and how a crashed Envoy is restarted
   * @param ignoreCompatibility run an Envoy of another major.minor anyway
   * @param runAs {@code --run-envoy-as}: the user (name, uid or uid:gid) Envoy runs as when
   *     kuma-dp is root, so its traffic is exempt from the transparent proxy rules; "" = as kuma-dp
   */
  public record Envoy(
      String binaryPath,
      String logLevel,
      String componentLogLevel,
      int concurrency,
      Duration drainTime,
      Integer adminPort,
      Restart restart,
      boolean ignoreCompatibility,
      String runAs) {
    public Envoy {
      runAs = runAs == null ? "" : runAs;
    }

    /** Envoy runs as kuma-dp's own user. */
    public Envoy(
        String binaryPath,
        String logLevel,
        String componentLogLevel,
        int concurrency,
        Duration drainTime,
        Integer adminPort,
        Restart restart,
        boolean ignoreCompatibility) {
      this(binaryPath, logLevel, componentLogLevel, concurrency, drainTime, adminPort, restart, ignoreCompatibility, "");
    }
  }

  /**
   * Restart policy for an Envoy that exits on its own.
   *
   * @param enabled false reproduces Kuma: kuma-dp exits when Envoy exits
   * @param baseBackoff first delay; it doubles per crash in a row
   * @param maxBackoff cap of the delay
   */
  public record Restart(boolean enabled, Duration baseBackoff, Duration maxBackoff) {}

  /**
   * Local facts.
   *
   * @param workDir the work directory, or null for a temporary one removed on exit
   * @param dynamicMetadata sent to the control plane (HOST_IP)
   * @param maxMemoryBytes memory limit sent as resources.maxHeapSizeBytes, 0 if none
   * @param deltaXds whether Envoy should use incremental xDS ({@code
   *     KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT=DELTA_GRPC}; sent to the control
   *     plane as the feature {@code feature-delta-grpc})
   */
  public record Runtime(
      Path workDir,
      int readinessPort,
      boolean dnsEnabled,
      int dnsProxyPort,
      String metricsCertPath,
      String metricsKeyPath,
      boolean bindOutbounds,
      Map<String, String> dynamicMetadata,
      long maxMemoryBytes,
      boolean deltaXds) {
    public Runtime {
      dynamicMetadata = Map.copyOf(dynamicMetadata);
    }
  }
}
