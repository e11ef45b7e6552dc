package io.meshlite.iptables;

import io.meshlite.iptables.config.ConfigException;
import io.meshlite.iptables.config.ConfigKey;
import io.meshlite.iptables.config.ConfigLayer;
import io.meshlite.iptables.config.ConfigLoader;
import io.meshlite.iptables.config.TransparentProxyConfig;
import io.meshlite.iptables.system.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags of {@code kumactl install transparent-proxy} (kuma-dp-spec §5.3). Every field stays
 * null unless given, so a flag only overrides the config file and environment when it is used.
 */
public final class InstallOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "transparent proxy config file (YAML or JSON, '-' for stdin); repeatable")
  private List<String> configFiles;

  @Option(
      names = "--kuma-dp-user",
      paramLabel = "USER|UID",
      description = "user name or UID running kuma-dp (default: UID 5678 or user kuma-dp)")
  private String kumaDpUser;

  @Option(names = "--kuma-dp-uid", hidden = true, description = "older name of --kuma-dp-user")
  private String kumaDpUid;

  @Option(
      names = "--redirect-inbound",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "redirect inbound traffic to Envoy (default: true)")
  private Boolean redirectInbound;

  @Option(
      names = "--redirect-inbound-port",
      paramLabel = "PORT",
      description = "inbound redirect port, Dataplane redirectPortInbound (default: 15006)")
  private String redirectInboundPort;

  @Option(
      names = "--redirect-outbound-port",
      paramLabel = "PORT",
      description = "outbound redirect port, Dataplane redirectPortOutbound (default: 15001)")
  private String redirectOutboundPort;

  @Option(
      names = "--exclude-inbound-ports",
      paramLabel = "PORTS",
      description = "comma-separated inbound ports not redirected")
  private String excludeInboundPorts;

  @Option(
      names = "--exclude-outbound-ports",
      paramLabel = "PORTS",
      description = "comma-separated outbound ports not redirected")
  private String excludeOutboundPorts;

  @Option(
      names = "--exclude-inbound-ips",
      paramLabel = "IP[/PREFIX]",
      description = "sources (IPv4/IPv6, CIDR allowed, comma-separated) not redirected; repeatable")
  private List<String> excludeInboundIps;

  @Option(
      names = "--exclude-outbound-ips",
      paramLabel = "IP[/PREFIX]",
      description =
          "destinations (IPv4/IPv6, CIDR allowed, comma-separated) not redirected; repeatable")
  private List<String> excludeOutboundIps;

  @Option(
      names = "--exclude-outbound-ports-for-uids",
      paramLabel = "[PROTO:][PORTS:]UIDS",
      description =
          "outbound ports not redirected for UIDs, e.g. 53,3000-5000:106-108, tcp:*:0, 123;"
              + " repeatable")
  private List<String> excludeOutboundPortsForUids;

  @Option(
      names = "--exclude-outbound-tcp-ports-for-uids",
      hidden = true,
      description = "older form: PORTS:UIDS for tcp only")
  private List<String> excludeOutboundTcpPortsForUids;

  @Option(
      names = "--exclude-outbound-udp-ports-for-uids",
      hidden = true,
      description = "older form: PORTS:UIDS for udp only")
  private List<String> excludeOutboundUdpPortsForUids;

  @Option(
      names = "--redirect-dns",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "redirect DNS queries to the nameservers in resolv.conf to the DNS proxy")
  private Boolean redirectDns;

  @Option(
      names = "--redirect-all-dns-traffic",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "redirect every DNS query (UDP 53) to the DNS proxy")
  private Boolean redirectAllDnsTraffic;

  @Option(
      names = "--redirect-dns-port",
      paramLabel = "PORT",
      description = "port of the kuma-dp DNS proxy (default: 15053)")
  private String redirectDnsPort;

  @Option(
      names = "--skip-dns-conntrack-zone-split",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "do not add the raw-table conntrack zone rules for DNS")
  private Boolean skipDnsConntrackZoneSplit;

  @Option(
      names = "--vnet",
      paramLabel = "IFACE:CIDR",
      description = "virtual network to redirect, e.g. docker0:172.17.0.0/16, br+:172.18.0.0/16;"
          + " repeatable")
  private List<String> vnets;

  @Option(
      names = "--ip-family-mode",
      paramLabel = "MODE",
      description = "dualstack or ipv4 (default: dualstack)")
  private String ipFamilyMode;

  @Option(
      names = "--drop-invalid-packets",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "drop packets in INVALID conntrack state (mangle table)")
  private Boolean dropInvalidPackets;

  @Option(
      names = "--iptables-logs",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "log packets entering PREROUTING and OUTPUT (LOG target, level 7)")
  private Boolean iptablesLogs;

  @Option(
      names = "--disable-comments",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "install the rules without kuma/mesh/transparent/proxy comments")
  private Boolean disableComments;

  @Option(
      names = "--redirect-inbound-insert-instead-of-append",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "insert the PREROUTING jump at the top instead of appending it")
  private Boolean inboundInsert;

  @Option(
      names = "--redirect-outbound-insert-instead-of-append",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "insert the OUTPUT jump at the top instead of appending it")
  private Boolean outboundInsert;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      description = "seconds to wait for the xtables lock (legacy iptables; default: 5)")
  private String waitSeconds;

  @Option(
      names = "--wait-interval",
      paramLabel = "MICROS",
      description = "microseconds between xtables lock attempts (legacy iptables; default: 0)")
  private String waitInterval;

  @Option(
      names = "--max-retries",
      paramLabel = "N",
      description = "retries of a failed iptables-restore (default: 4)")
  private String maxRetries;

  @Option(
      names = "--sleep-between-retries",
      paramLabel = "DURATION",
      description = "pause between retries, e.g. 2s or 500ms (default: 2s)")
  private String sleepBetweenRetries;

  @Option(
      names = "--iptables-executables",
      paramLabel = "NAME:PATH,...",
      description =
          "paths of iptables, iptables-save, iptables-restore, ip6tables, ip6tables-save,"
              + " ip6tables-restore")
  private String iptablesExecutables;

  @Option(
      names = "--store-firewalld",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "persist the rules with firewalld (not supported: a warning is printed)")
  private Boolean storeFirewalld;

  @Option(
      names = "--dry-run",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "print the iptables-restore input instead of applying it (no root needed)")
  private Boolean dryRun;

  @Option(
      names = "--verbose",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "print rules with long flag names and section comments")
  private Boolean verbose;

  /** defaults &lt; config files &lt; KUMA_TRANSPARENT_PROXY_* &lt; flags, validated. */
  TransparentProxyConfig toConfig(Host host) {
    List<ConfigLayer> layers = new ArrayList<>();
    if (configFiles != null) {
      for (String file : configFiles) {
        layers.add(ConfigLoader.fromYaml(read(file, host), file.equals("-") ? "stdin" : file));
      }
    }
    layers.add(ConfigLoader.fromEnv(host.env()));
    layers.add(flags());
    return ConfigLoader.load(layers);
  }

  private ConfigLayer flags() {
    ConfigLayer layer = new ConfigLayer("flags");
    if (Boolean.TRUE.equals(redirectDns) && Boolean.TRUE.equals(redirectAllDnsTraffic)) {
      throw new ConfigException(
          List.of(
              "--redirect-dns and --redirect-all-dns-traffic cannot be used together"
                  + " (--redirect-all-dns-traffic already redirects every DNS query)"));
    }
    set(layer, ConfigKey.KUMA_DP_USER, kumaDpUid, "--kuma-dp-uid");
    set(layer, ConfigKey.KUMA_DP_USER, kumaDpUser, "--kuma-dp-user");
    set(layer, ConfigKey.INBOUND_ENABLED, redirectInbound, "--redirect-inbound");
    set(layer, ConfigKey.INBOUND_PORT, redirectInboundPort, "--redirect-inbound-port");
    set(layer, ConfigKey.OUTBOUND_PORT, redirectOutboundPort, "--redirect-outbound-port");
    set(layer, ConfigKey.INBOUND_EXCLUDE_PORTS, excludeInboundPorts, "--exclude-inbound-ports");
    set(layer, ConfigKey.OUTBOUND_EXCLUDE_PORTS, excludeOutboundPorts, "--exclude-outbound-ports");
    set(layer, ConfigKey.INBOUND_EXCLUDE_PORTS_FOR_IPS, excludeInboundIps, "--exclude-inbound-ips");
    set(
        layer,
        ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_IPS,
        excludeOutboundIps,
        "--exclude-outbound-ips");
    List<String> uidExclusions = new ArrayList<>();
    if (excludeOutboundPortsForUids != null) {
      uidExclusions.addAll(excludeOutboundPortsForUids);
    }
    if (excludeOutboundTcpPortsForUids != null) {
      excludeOutboundTcpPortsForUids.forEach(e -> uidExclusions.add("tcp:" + e));
    }
    if (excludeOutboundUdpPortsForUids != null) {
      excludeOutboundUdpPortsForUids.forEach(e -> uidExclusions.add("udp:" + e));
    }
    if (!uidExclusions.isEmpty()) {
      layer.set(
          ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_UIDS,
          uidExclusions,
          "--exclude-outbound-ports-for-uids");
    }
    set(layer, ConfigKey.DNS_ENABLED, redirectDns, "--redirect-dns");
    if (redirectAllDnsTraffic != null) {
      if (redirectAllDnsTraffic) {
        layer.set(ConfigKey.DNS_ENABLED, true, "--redirect-all-dns-traffic");
      }
      layer.set(ConfigKey.DNS_CAPTURE_ALL, redirectAllDnsTraffic, "--redirect-all-dns-traffic");
    }
    set(layer, ConfigKey.DNS_PORT, redirectDnsPort, "--redirect-dns-port");
    set(
        layer,
        ConfigKey.DNS_SKIP_CONNTRACK_ZONE_SPLIT,
        skipDnsConntrackZoneSplit,
        "--skip-dns-conntrack-zone-split");
    set(layer, ConfigKey.VNET_NETWORKS, vnets, "--vnet");
    set(layer, ConfigKey.IP_FAMILY_MODE, ipFamilyMode, "--ip-family-mode");
    set(layer, ConfigKey.DROP_INVALID_PACKETS, dropInvalidPackets, "--drop-invalid-packets");
    set(layer, ConfigKey.LOG_ENABLED, iptablesLogs, "--iptables-logs");
    set(layer, ConfigKey.COMMENTS_DISABLED, disableComments, "--disable-comments");
    set(
        layer,
        ConfigKey.INBOUND_INSERT_REDIRECT,
        inboundInsert,
        "--redirect-inbound-insert-instead-of-append");
    set(
        layer,
        ConfigKey.OUTBOUND_INSERT_REDIRECT,
        outboundInsert,
        "--redirect-outbound-insert-instead-of-append");
    set(layer, ConfigKey.WAIT, waitSeconds, "--wait");
    set(layer, ConfigKey.WAIT_INTERVAL, waitInterval, "--wait-interval");
    set(layer, ConfigKey.RETRY_MAX_RETRIES, maxRetries, "--max-retries");
    set(
        layer,
        ConfigKey.RETRY_SLEEP_BETWEEN_RETRIES,
        sleepBetweenRetries,
        "--sleep-between-retries");
    set(layer, ConfigKey.IPTABLES_EXECUTABLES, iptablesExecutables, "--iptables-executables");
    set(layer, ConfigKey.STORE_FIREWALLD, storeFirewalld, "--store-firewalld");
    set(layer, ConfigKey.DRY_RUN, dryRun, "--dry-run");
    set(layer, ConfigKey.VERBOSE, verbose, "--verbose");
    return layer;
  }

  private static void set(ConfigLayer layer, ConfigKey key, Object value, String flag) {
    if (value != null) {
      layer.set(key, value, flag);
    }
  }

  private static String read(String file, Host host) {
    try {
      if (file.equals("-")) {
        return new String(host.stdin().readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException(
          List.of("--config: cannot read " + file + " (" + e.getMessage() + ")"));
    }
  }
}
