package io.meshlite.iptables.system;

import io.meshlite.iptables.config.Exclusions;
import io.meshlite.iptables.config.TransparentProxyConfig;
import io.meshlite.iptables.rules.IpFamily;
import io.meshlite.iptables.rules.RuleSet;
import io.meshlite.iptables.rules.RuleSetBuilder;
import io.meshlite.iptables.rules.RuleSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns the config plus what is known about the host into one family's rule set. Pure. */
public final class RulePlanner {
  private RulePlanner() {}

  /**
   * What the host's iptables can do.
   *
   * @param comments the {@code comment} match is available
   * @param conntrack the {@code CT} target is available (DNS conntrack zone split)
   * @param mangle the mangle table is available (drop INVALID packets)
   * @param dockerOutput a {@code DOCKER_OUTPUT} chain exists in nat
   */
  public record Capabilities(
      boolean comments, boolean conntrack, boolean mangle, boolean dockerOutput) {
    /** What a dry run assumes: a full-featured iptables and no Docker. */
    public static final Capabilities ASSUMED = new Capabilities(true, true, true, false);
  }

  /** The rules for one family, whether to render comments, and what was switched off. */
  public record Plan(RuleSet rules, boolean comments, List<String> warnings) {
    public Plan {
      warnings = List.copyOf(warnings);
    }

    /** The {@code iptables-restore} text. */
    public String render(boolean verbose) {
      return rules.render(comments, verbose);
    }
  }

  /** Plans {@code family}'s rules; {@code nameservers} may hold both families. */
  public static Plan plan(
      TransparentProxyConfig config,
      IpFamily family,
      String uid,
      String loopback,
      List<String> nameservers,
      Capabilities capabilities) {
    List<String> warnings = new ArrayList<>();
    TransparentProxyConfig.Dns dnsConfig = config.dns();
    List<String> servers = nameservers.stream().filter(s -> IpFamily.of(s) == family).toList();
    boolean dnsEnabled = dnsConfig.enabled();
    if (dnsEnabled && !dnsConfig.captureAll() && servers.isEmpty()) {
      dnsEnabled = false;
      warnings.add(
          "no "
              + family.label()
              + " nameserver in "
              + dnsConfig.resolvConfigPath()
              + ": DNS redirection for "
              + family.label()
              + " is off");
    }
    boolean split = dnsEnabled && !dnsConfig.skipConntrackZoneSplit();
    if (split && !capabilities.conntrack()) {
      split = false;
      warnings.add(
          family.command()
              + " has no CT target (conntrack module): DNS conntrack zone split is off");
    }
    boolean dropInvalid = config.dropInvalidPackets();
    if (dropInvalid && !capabilities.mangle()) {
      dropInvalid = false;
      warnings.add(family.command() + " has no mangle table: --drop-invalid-packets is ignored");
    }
    boolean comments = !config.commentsDisabled();
    if (comments && !capabilities.comments()) {
      comments = false;
      warnings.add(
          family.command() + " has no comment match: rules are installed without comments");
    }
    RuleSettings.Dns dns =
        dnsEnabled
            ? new RuleSettings.Dns(
                true,
                dnsConfig.captureAll(),
                dnsConfig.port(),
                dnsConfig.captureAll() ? List.of() : servers,
                split,
                capabilities.dockerOutput())
            : RuleSettings.Dns.disabled(dnsConfig.port());
    RuleSettings settings =
        new RuleSettings(
            family,
            uid,
            loopback,
            flow(config.inbound()),
            flow(config.outbound()),
            ofFamily(config.inbound().excludeIps(), family),
            ofFamily(config.outbound().excludeIps(), family),
            config.outbound().excludePortsForUids(),
            dns,
            config.virtualNetworks().stream()
                .filter(n -> IpFamily.of(n.cidr()) == family)
                .map(n -> new RuleSettings.VirtualNetwork(n.iface(), n.cidr()))
                .toList(),
            dropInvalid,
            config.logEnabled() ? config.logLevel() : null);
    return new Plan(RuleSetBuilder.build(settings), comments, warnings);
  }

  /**
   * The nameservers listed in a resolv.conf, in file order (zone suffixes like {@code %eth0}
   * dropped, unparseable entries skipped).
   */
  public static List<String> nameservers(Path resolvConf) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(resolvConf)) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length >= 2 && fields[0].equals("nameserver")) {
        String address = fields[1].replaceAll("%.*$", "");
        try {
          Exclusions.ipOrCidr(address);
          if (!address.contains("/") && !out.contains(address)) {
            out.add(address);
          }
        } catch (IllegalArgumentException e) {
          // not an address: resolv.conf readers ignore such lines too
        }
      }
    }
    return out;
  }

  private static RuleSettings.Flow flow(TransparentProxyConfig.TrafficFlow flow) {
    return new RuleSettings.Flow(
        flow.enabled(),
        flow.port(),
        flow.includePorts(),
        flow.excludePorts(),
        flow.insertRedirectInsteadOfAppend());
  }

  private static List<String> ofFamily(List<String> addresses, IpFamily family) {
    return addresses.stream().filter(a -> IpFamily.of(a) == family).toList();
  }
}
