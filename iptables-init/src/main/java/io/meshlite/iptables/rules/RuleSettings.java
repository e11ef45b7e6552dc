package io.meshlite.iptables.rules;

import java.util.List;
import java.util.Objects;

/**
 * Everything the rule builder needs for one IP family, already resolved against the host (UID,
 * loopback name, nameservers of this family, available iptables modules).
 *
 * @param family the IP family the rules are for
 * @param uid the kuma-dp user's UID whose traffic is never redirected
 * @param loopback name of the loopback interface ({@code lo})
 * @param inbound inbound redirection
 * @param outbound outbound redirection
 * @param excludedInboundSources sources (of this family) whose inbound traffic is not redirected
 * @param excludedOutboundDestinations destinations (of this family) never redirected
 * @param portExclusions outbound ports excluded for given UIDs
 * @param dns DNS redirection
 * @param virtualNetworks interfaces whose traffic is redirected as if it were local outbound
 * @param dropInvalidPackets add the mangle rule that drops INVALID packets
 * @param logLevel when non-null, log every packet entering PREROUTING/OUTPUT at this level
 */
public record RuleSettings(
    IpFamily family,
    String uid,
    String loopback,
    Flow inbound,
    Flow outbound,
    List<String> excludedInboundSources,
    List<String> excludedOutboundDestinations,
    List<PortExclusion> portExclusions,
    Dns dns,
    List<VirtualNetwork> virtualNetworks,
    boolean dropInvalidPackets,
    Integer logLevel) {

  public RuleSettings {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(loopback, "loopback");
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(dns, "dns");
    excludedInboundSources = List.copyOf(excludedInboundSources);
    excludedOutboundDestinations = List.copyOf(excludedOutboundDestinations);
    portExclusions = List.copyOf(portExclusions);
    virtualNetworks = List.copyOf(virtualNetworks);
  }

  /**
   * One redirected direction.
   *
   * @param enabled false leaves the direction's chain with a single RETURN
   * @param port the Envoy listener port traffic is redirected to
   * @param includePorts when non-empty, only these ports are redirected
   * @param excludePorts ports never redirected (ignored when includePorts is set)
   * @param insertJump insert the jump into PREROUTING/OUTPUT instead of appending it
   */
  public record Flow(
      boolean enabled,
      int port,
      List<Integer> includePorts,
      List<Integer> excludePorts,
      boolean insertJump) {
    public Flow {
      includePorts = List.copyOf(includePorts);
      excludePorts = List.copyOf(excludePorts);
    }
  }

  /**
   * DNS redirection for this family.
   *
   * @param enabled redirect DNS at all (false also when no nameserver of this family is known)
   * @param captureAll redirect every UDP 53 packet, not only those to {@code servers}
   * @param port the kuma-dp DNS proxy port
   * @param servers nameservers of this family (from resolv.conf) when not capturing all
   * @param conntrackZoneSplit add the raw-table conntrack zone rules
   * @param dockerOutput jump kuma-dp's own DNS queries to DOCKER_OUTPUT instead of RETURN
   */
  public record Dns(
      boolean enabled,
      boolean captureAll,
      int port,
      List<String> servers,
      boolean conntrackZoneSplit,
      boolean dockerOutput) {
    public Dns {
      servers = List.copyOf(servers);
    }

    /** DNS redirection switched off. */
    public static Dns disabled(int port) {
      return new Dns(false, false, port, List.of(), false, false);
    }
  }

  /**
   * A virtual network (e.g. a Docker bridge) whose traffic is redirected.
   *
   * @param iface interface name, {@code +} suffix as prefix wildcard
   * @param cidr the network's own CIDR, which is left alone
   */
  public record VirtualNetwork(String iface, String cidr) {}
}
