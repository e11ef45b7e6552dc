package io.meshlite.iptables.config;

import io.meshlite.iptables.rules.PortExclusion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated transparent-proxy configuration (Kuma's {@code transparentproxy/config}),
 * produced once by {@link ConfigLoader}. Field names follow Kuma's config file keys.
 *
 * @param kumaDpUser user name or UID of the proxy; empty = find UID 5678 or user {@code kuma-dp}
 * @param ipFamilyMode dualstack (default) or ipv4
 * @param executables overrides for {@code iptables}, {@code iptables-save}, ... by name
 * @param sleepBetweenRetries pause between failed {@code iptables-restore} tries
 */
public record TransparentProxyConfig(
    String kumaDpUser,
    IpFamilyMode ipFamilyMode,
    boolean dropInvalidPackets,
    boolean storeFirewalld,
    boolean verbose,
    boolean dryRun,
    int waitSeconds,
    int waitIntervalMicros,
    boolean cniMode,
    Map<String, String> executables,
    boolean commentsDisabled,
    boolean logEnabled,
    int logLevel,
    int maxRetries,
    Duration sleepBetweenRetries,
    TrafficFlow inbound,
    TrafficFlow outbound,
    Dns dns,
    List<VirtualNetwork> virtualNetworks) {

  /** Default kuma-dp UID. */
  public static final int DEFAULT_UID = 5678;

  /** Default kuma-dp user name. */
  public static final String DEFAULT_USER = "kuma-dp";

  public TransparentProxyConfig {
    Objects.requireNonNull(kumaDpUser, "kumaDpUser");
    Objects.requireNonNull(ipFamilyMode, "ipFamilyMode");
    executables = Map.copyOf(executables);
    Objects.requireNonNull(sleepBetweenRetries, "sleepBetweenRetries");
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(dns, "dns");
    virtualNetworks = List.copyOf(virtualNetworks);
  }

  /** The defaults Kuma documents (kuma-dp-spec §5.2). */
  public static TransparentProxyConfig defaults() {
    return ConfigLoader.load(List.of());
  }

  /** Whether to use IPv4 only or both families. */
  public enum IpFamilyMode {
    DUALSTACK,
    IPV4;

    /** The config-file spelling. */
    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One redirect direction.
   *
   * @param excludePortsForUids parsed {@code excludePortsForUIDs} (used for outbound only)
   * @param excludeIps IP/CIDR exclusions of both families, as given
   */
  public record TrafficFlow(
      boolean enabled,
      int port,
      List<Integer> includePorts,
      List<Integer> excludePorts,
      List<PortExclusion> excludePortsForUids,
      List<String> excludeIps,
      boolean insertRedirectInsteadOfAppend) {
    public TrafficFlow {
      includePorts = List.copyOf(includePorts);
      excludePorts = List.copyOf(excludePorts);
      excludePortsForUids = List.copyOf(excludePortsForUids);
      excludeIps = List.copyOf(excludeIps);
    }
  }

  /** DNS redirection settings. */
  public record Dns(
      boolean enabled,
      int port,
      boolean captureAll,
      boolean skipConntrackZoneSplit,
      String resolvConfigPath) {}

  /** A {@code --vnet iface:CIDR} entry. */
  public record VirtualNetwork(String iface, String cidr) {}
}
