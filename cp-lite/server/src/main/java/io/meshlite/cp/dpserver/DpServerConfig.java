package io.meshlite.cp.dpserver;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the dataplane server and of the bootstraps it hands out. Kuma's names are given for
 * the settings Kuma has.
 *
 * @param port listen port; {@code dpServer.port} ({@code KUMA_DP_SERVER_PORT}), default 5678; 0
 *     picks a free port (tests)
 * @param bindAddress listen address; {@code ""} (default) means every interface, IPv4 and IPv6
 * @param xdsHost the host Envoy dials for ADS; {@code bootstrapServer.params.xdsHost} ({@code
 *     KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_HOST}); {@code ""} (default) means the Host of the
 *     bootstrap request, without port
 * @param xdsPort the port Envoy dials for ADS; {@code bootstrapServer.params.xdsPort} ({@code
 *     KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_PORT}); 0 (default) means this server's port
 * @param adminPort Envoy admin port when neither the Dataplane nor kuma-dp sets one; {@code
 *     bootstrapServer.params.adminPort} ({@code KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_PORT}), 9901
 * @param adminAccessLogPath Envoy admin access log; {@code
 *     KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_ACCESS_LOG_PATH}, default {@code /dev/null}
 * @param xdsConnectTimeout connect timeout of Envoy's {@code ads_cluster}; {@code
 *     KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_CONNECT_TIMEOUT}, default 1s
 * @param reconcileDebounce how long a dirty proxy waits so bursts of changes collapse into one
 *     push; ours, default 10ms
 * @param resyncInterval how often every proxy is regenerated regardless of events, as a safety
 *     net; ours, default 30s (Kuma instead polls every 1s: {@code
 *     xdsServer.dataplaneConfigurationRefreshInterval})
 */
public record DpServerConfig(
    int port,
    String bindAddress,
    String xdsHost,
    int xdsPort,
    int adminPort,
    String adminAccessLogPath,
    Duration xdsConnectTimeout,
    Duration reconcileDebounce,
    Duration resyncInterval) {

  public DpServerConfig {
    checkPort("port", port, true);
    checkPort("xdsPort", xdsPort, true);
    checkPort("adminPort", adminPort, false);
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(xdsHost, "xdsHost");
    Objects.requireNonNull(adminAccessLogPath, "adminAccessLogPath");
    checkPositive("xdsConnectTimeout", xdsConnectTimeout, false);
    checkPositive("reconcileDebounce", reconcileDebounce, true);
    checkPositive("resyncInterval", resyncInterval, false);
  }

  /** Kuma's defaults. */
  public static DpServerConfig defaults() {
    return new DpServerConfig(
        5678, "", "", 0, 9901, "/dev/null", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(30));
  }

  public DpServerConfig withPort(int p) {
    return new DpServerConfig(p, bindAddress, xdsHost, xdsPort, adminPort, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withBindAddress(String a) {
    return new DpServerConfig(port, a, xdsHost, xdsPort, adminPort, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withXdsHost(String h) {
    return new DpServerConfig(port, bindAddress, h, xdsPort, adminPort, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withXdsPort(int p) {
    return new DpServerConfig(port, bindAddress, xdsHost, p, adminPort, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withAdminPort(int p) {
    return new DpServerConfig(port, bindAddress, xdsHost, xdsPort, p, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withAdminAccessLogPath(String path) {
    return new DpServerConfig(port, bindAddress, xdsHost, xdsPort, adminPort, path, xdsConnectTimeout, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withXdsConnectTimeout(Duration d) {
    return new DpServerConfig(port, bindAddress, xdsHost, xdsPort, adminPort, adminAccessLogPath, d, reconcileDebounce, resyncInterval);
  }

  public DpServerConfig withReconcileDebounce(Duration d) {
    return new DpServerConfig(port, bindAddress, xdsHost, xdsPort, adminPort, adminAccessLogPath, xdsConnectTimeout, d, resyncInterval);
  }

  public DpServerConfig withResyncInterval(Duration d) {
    return new DpServerConfig(port, bindAddress, xdsHost, xdsPort, adminPort, adminAccessLogPath, xdsConnectTimeout, reconcileDebounce, d);
  }

  private static void checkPort(String field, int p, boolean zeroAllowed) {
    if (p < (zeroAllowed ? 0 : 1) || p > 65535) {
      throw new IllegalArgumentException(
          field + ": " + p + " (expected: a port from " + (zeroAllowed ? 0 : 1) + " to 65535)");
    }
  }

  private static void checkPositive(String field, Duration d, boolean zeroAllowed) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(
          field + ": " + d + " (expected: a " + (zeroAllowed ? "non-negative" : "positive") + " duration)");
    }
  }
}
