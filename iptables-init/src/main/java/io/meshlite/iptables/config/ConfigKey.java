package io.meshlite.iptables.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every transparent-proxy setting Kuma reads from a config file, with its YAML path, its {@code
 * KUMA_TRANSPARENT_PROXY_*} variable and its value kind. One list serves the file, the
 * environment and the flags, so their names cannot drift apart.
 */
public enum ConfigKey {
  KUMA_DP_USER("kumaDPUser", "KUMA_DP_USER", Kind.STRING),
  IP_FAMILY_MODE("ipFamilyMode", "IP_FAMILY_MODE", Kind.IP_FAMILY_MODE),
  DROP_INVALID_PACKETS("dropInvalidPackets", "DROP_INVALID_PACKETS", Kind.BOOL),
  STORE_FIREWALLD("storeFirewalld", "STORE_FIREWALLD", Kind.BOOL),
  VERBOSE("verbose", "VERBOSE", Kind.BOOL),
  DRY_RUN("dryRun", "DRY_RUN", Kind.BOOL),
  WAIT("wait", "WAIT", Kind.UINT),
  WAIT_INTERVAL("waitInterval", "WAIT_INTERVAL", Kind.UINT),
  CNI_MODE("cniMode", "CNI_MODE", Kind.BOOL),
  IPTABLES_EXECUTABLES("iptablesExecutables", "IPTABLES_EXECUTABLES", Kind.EXECUTABLES),
  COMMENTS_DISABLED("comments.disabled", "COMMENTS_DISABLED", Kind.BOOL),
  LOG_ENABLED("log.enabled", "LOG_ENABLED", Kind.BOOL),
  LOG_LEVEL("log.level", "LOG_LEVEL", Kind.UINT),
  RETRY_MAX_RETRIES("retry.maxRetries", "RETRY_MAX_RETRIES", Kind.UINT),
  RETRY_SLEEP_BETWEEN_RETRIES(
      "retry.sleepBetweenRetries", "RETRY_SLEEP_BETWEEN_RETRIES", Kind.DURATION),
  INBOUND_ENABLED("redirect.inbound.enabled", "REDIRECT_INBOUND_ENABLED", Kind.BOOL),
  INBOUND_PORT("redirect.inbound.port", "REDIRECT_INBOUND_PORT", Kind.PORT),
  INBOUND_INCLUDE_PORTS(
      "redirect.inbound.includePorts", "REDIRECT_INBOUND_INCLUDE_PORTS", Kind.PORTS),
  INBOUND_EXCLUDE_PORTS(
      "redirect.inbound.excludePorts", "REDIRECT_INBOUND_EXCLUDE_PORTS", Kind.PORTS),
  INBOUND_EXCLUDE_PORTS_FOR_UIDS(
      "redirect.inbound.excludePortsForUIDs",
      "REDIRECT_INBOUND_EXCLUDE_PORTS_FOR_UIDS",
      Kind.UID_EXCLUSIONS),
  INBOUND_EXCLUDE_PORTS_FOR_IPS(
      "redirect.inbound.excludePortsForIPs", "REDIRECT_INBOUND_EXCLUDE_PORTS_FOR_IPS", Kind.IPS),
  INBOUND_INSERT_REDIRECT(
      "redirect.inbound.insertRedirectInsteadOfAppend",
      "REDIRECT_INBOUND_INSERT_REDIRECT_INSTEAD_OF_APPEND",
      Kind.BOOL),
  OUTBOUND_ENABLED("redirect.outbound.enabled", "REDIRECT_OUTBOUND_ENABLED", Kind.BOOL),
  OUTBOUND_PORT("redirect.outbound.port", "REDIRECT_OUTBOUND_PORT", Kind.PORT),
  OUTBOUND_INCLUDE_PORTS(
      "redirect.outbound.includePorts", "REDIRECT_OUTBOUND_INCLUDE_PORTS", Kind.PORTS),
  OUTBOUND_EXCLUDE_PORTS(
      "redirect.outbound.excludePorts", "REDIRECT_OUTBOUND_EXCLUDE_PORTS", Kind.PORTS),
  OUTBOUND_EXCLUDE_PORTS_FOR_UIDS(
      "redirect.outbound.excludePortsForUIDs",
      "REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_UIDS",
      Kind.UID_EXCLUSIONS),
  OUTBOUND_EXCLUDE_PORTS_FOR_IPS(
      "redirect.outbound.excludePortsForIPs",
      "REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_IPS",
      Kind.IPS),
  OUTBOUND_INSERT_REDIRECT(
      "redirect.outbound.insertRedirectInsteadOfAppend",
      "REDIRECT_OUTBOUND_INSERT_REDIRECT_INSTEAD_OF_APPEND",
      Kind.BOOL),
  DNS_ENABLED("redirect.dns.enabled", "REDIRECT_DNS_ENABLED", Kind.BOOL),
  DNS_PORT("redirect.dns.port", "REDIRECT_DNS_PORT", Kind.PORT),
  DNS_CAPTURE_ALL("redirect.dns.captureAll", "REDIRECT_DNS_CAPTURE_ALL", Kind.BOOL),
  DNS_SKIP_CONNTRACK_ZONE_SPLIT(
      "redirect.dns.skipConntrackZoneSplit", "REDIRECT_DNS_SKIP_CONNTRACK_ZONE_SPLIT", Kind.BOOL),
  DNS_RESOLV_CONFIG_PATH(
      "redirect.dns.resolvConfigPath", "REDIRECT_DNS_RESOLV_CONFIG_PATH", Kind.STRING),
  VNET_NETWORKS("redirect.vnet.networks", "REDIRECT_VNET_NETWORKS", Kind.VNETS),
  EBPF_ENABLED("ebpf.enabled", "EBPF_ENABLED", Kind.BOOL);

  /** Prefix of every environment variable. */
  public static final String ENV_PREFIX = "KUMA_TRANSPARENT_PROXY_";

  private final String path;
  private final String env;
  private final Kind kind;

  ConfigKey(String path, String envSuffix, Kind kind) {
    this.path = path;
    this.env = ENV_PREFIX + envSuffix;
    this.kind = kind;
  }

  /** Dotted path in the config file, e.g. {@code redirect.dns.port}. */
  public String path() {
    return path;
  }

  /** The environment variable, e.g. {@code KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_PORT}. */
  public String env() {
    return env;
  }

  Kind kind() {
    return kind;
  }

  /** The key for a dotted config-file path. */
  public static Optional<ConfigKey> byPath(String path) {
    return Arrays.stream(values()).filter(k -> k.path.equals(path)).findFirst();
  }

  /** True if {@code path} is a section that contains keys ({@code redirect.dns}). */
  static boolean isSection(String path) {
    return Arrays.stream(values()).anyMatch(k -> k.path.startsWith(path + "."));
  }

  /** What a key's value looks like. */
  enum Kind {
    BOOL,
    STRING,
    UINT,
    PORT,
    PORTS,
    DURATION,
    IP_FAMILY_MODE,
    EXECUTABLES,
    UID_EXCLUSIONS,
    IPS,
    VNETS
  }
}
