package io.meshlite.iptables.rules;

import static io.meshlite.iptables.rules.Chain.MANGLE_PREROUTING;
import static io.meshlite.iptables.rules.Chain.MESH_INBOUND;
import static io.meshlite.iptables.rules.Chain.MESH_INBOUND_REDIRECT;
import static io.meshlite.iptables.rules.Chain.MESH_OUTBOUND;
import static io.meshlite.iptables.rules.Chain.MESH_OUTBOUND_REDIRECT;
import static io.meshlite.iptables.rules.Chain.NAT_OUTPUT;
import static io.meshlite.iptables.rules.Chain.NAT_PREROUTING;
import static io.meshlite.iptables.rules.Chain.RAW_OUTPUT;
import static io.meshlite.iptables.rules.Chain.RAW_PREROUTING;

import io.meshlite.iptables.rules.Match.ConntrackState;
import io.meshlite.iptables.rules.Match.Destination;
import io.meshlite.iptables.rules.Match.DestinationPort;
import io.meshlite.iptables.rules.Match.InInterface;
import io.meshlite.iptables.rules.Match.MultiportDestinations;
import io.meshlite.iptables.rules.Match.OutInterface;
import io.meshlite.iptables.rules.Match.Owner;
import io.meshlite.iptables.rules.Match.Protocol;
import io.meshlite.iptables.rules.Match.Source;
import io.meshlite.iptables.rules.Match.SourcePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lays out Kuma's transparent-proxy rules for one IP family (kuma-dp-spec §5.4).
 *
 * <p>nat: PREROUTING and OUTPUT jump TCP into {@code KUMA_MESH_INBOUND} / {@code
 * KUMA_MESH_OUTBOUND}, which end in the {@code *_REDIRECT} chains that REDIRECT to Envoy (15006
 * inbound, 15001 outbound). Exclusions and DNS redirects are inserted at the top of OUTPUT. raw
 * holds the DNS conntrack zone split, mangle the optional INVALID drop.
 */
public final class RuleSetBuilder {
  static final int DNS_PORT = 53;
  private static final Protocol TCP = new Protocol("tcp");
  private static final Protocol UDP = new Protocol("udp");
  private static final Jump RETURN = new Jump.Return();

  private RuleSetBuilder() {}

  /** Builds the rule set for {@code settings}. Pure: same settings, same rules. */
  public static RuleSet build(RuleSettings settings) {
    List<Rule> rules = new ArrayList<>();
    addRaw(settings, rules);
    addOutput(settings, rules);
    addPrerouting(settings, rules);
    addMeshInbound(settings, rules);
    addMeshOutbound(settings, rules);
    rules.add(redirect(MESH_INBOUND_REDIRECT, settings.inbound().port()));
    rules.add(redirect(MESH_OUTBOUND_REDIRECT, settings.outbound().port()));
    if (settings.dropInvalidPackets()) {
      rules.add(
          Rule.append(
              MANGLE_PREROUTING,
              "drop packets in INVALID conntrack state so they cannot bypass the redirect",
              new Jump.Drop(),
              new ConntrackState("INVALID")));
    }
    return new RuleSet(
        settings.family(),
        List.of(MESH_INBOUND, MESH_OUTBOUND, MESH_INBOUND_REDIRECT, MESH_OUTBOUND_REDIRECT),
        rules);
  }

  private static void addRaw(RuleSettings s, List<Rule> rules) {
    RuleSettings.Dns dns = s.dns();
    if (!dns.enabled() || !dns.conntrackZoneSplit()) {
      return;
    }
    Owner proxy = new Owner(s.uid(), false);
    rules.add(
        Rule.append(
            RAW_OUTPUT,
            "conntrack zone 1 for DNS queries sent by the kuma-dp user (UID " + s.uid() + ")",
            new Jump.ConntrackZone(1),
            UDP,
            new DestinationPort(DNS_PORT, false),
            proxy));
    rules.add(
        Rule.append(
            RAW_OUTPUT,
            "conntrack zone 2 for answers of the kuma-dp DNS proxy",
            new Jump.ConntrackZone(2),
            UDP,
            new SourcePort(dns.port()),
            proxy));
    if (dns.captureAll()) {
      rules.add(
          Rule.append(
              RAW_OUTPUT,
              "conntrack zone 2 for every DNS query",
              new Jump.ConntrackZone(2),
              UDP,
              new DestinationPort(DNS_PORT, false)));
      rules.add(
          Rule.append(
              RAW_PREROUTING,
              "conntrack zone 1 for every DNS answer",
              new Jump.ConntrackZone(1),
              UDP,
              new SourcePort(DNS_PORT)));
      return;
    }
    for (String server : dns.servers()) {
      rules.add(
          Rule.append(
              RAW_OUTPUT,
              "conntrack zone 2 for DNS queries to " + server,
              new Jump.ConntrackZone(2),
              new Destination(server, false),
              UDP,
              new DestinationPort(DNS_PORT, false)));
      rules.add(
          Rule.append(
              RAW_PREROUTING,
              "conntrack zone 1 for DNS answers from " + server,
              new Jump.ConntrackZone(1),
              new Source(server, false),
              UDP,
              new SourcePort(DNS_PORT)));
    }
    for (String server : dns.servers()) {
      if (isLoopback(server)) {
        rules.add(
            Rule.append(
                RAW_OUTPUT,
                "conntrack zone 1 for answers of the local nameserver " + server,
                new Jump.ConntrackZone(1),
                new Source(server, false),
                new Destination(s.family().localhost(), false),
                UDP));
      }
    }
  }

  private static void addOutput(RuleSettings s, List<Rule> rules) {
    if (s.logLevel() != null) {
      rules.add(
          Rule.insert(
              NAT_OUTPUT,
              "log packets entering nat OUTPUT",
              new Jump.Log("OUTPUT:", s.logLevel())));
    }
    for (PortExclusion exclusion : s.portExclusions()) {
      rules.add(
          Rule.insert(
              NAT_OUTPUT,
              "skip redirection for excluded ports and UIDs",
              RETURN,
              new Protocol(exclusion.protocol()),
              new MultiportDestinations(exclusion.ports()),
              new Owner(exclusion.uids(), false)));
    }
    for (String destination : s.excludedOutboundDestinations()) {
      rules.add(
          Rule.insert(
              NAT_OUTPUT,
              "skip redirection for excluded destination " + destination,
              RETURN,
              new Destination(destination, false)));
    }
    RuleSettings.Dns dns = s.dns();
    if (dns.enabled()) {
      rules.add(
          Rule.insert(
              NAT_OUTPUT,
              dns.dockerOutput()
                  ? "send DNS queries of kuma-dp to DOCKER_OUTPUT"
                  : "leave DNS queries of kuma-dp alone",
              dns.dockerOutput() ? new Jump.ToChain("DOCKER_OUTPUT") : RETURN,
              UDP,
              new DestinationPort(DNS_PORT, false),
              new Owner(s.uid(), false)));
      if (dns.captureAll()) {
        rules.add(
            Rule.insert(
                NAT_OUTPUT,
                "redirect every DNS query to the kuma-dp DNS proxy on port " + dns.port(),
                new Jump.RedirectTo(dns.port()),
                UDP,
                new DestinationPort(DNS_PORT, false)));
      } else {
        for (String server : dns.servers()) {
          rules.add(
              Rule.insert(
                  NAT_OUTPUT,
                  "redirect DNS queries to " + server + " to the kuma-dp DNS proxy on port "
                      + dns.port(),
                  new Jump.RedirectTo(dns.port()),
                  new Destination(server, false),
                  UDP,
                  new DestinationPort(DNS_PORT, false)));
        }
      }
      rules.add(
          new Rule(
              NAT_OUTPUT,
              s.outbound().insertJump(),
              List.of(TCP, new DestinationPort(DNS_PORT, false), new Owner(s.uid(), true)),
              RETURN,
              "let applications resolve over TCP port 53 without redirection"));
    }
    rules.add(
        new Rule(
            NAT_OUTPUT,
            s.outbound().insertJump(),
            List.of(TCP),
            new Jump.ToChain(MESH_OUTBOUND.name()),
            "send outbound TCP to " + MESH_OUTBOUND.name()));
  }

  private static void addPrerouting(RuleSettings s, List<Rule> rules) {
    if (s.logLevel() != null) {
      rules.add(
          Rule.insert(
              NAT_PREROUTING,
              "log packets entering nat PREROUTING",
              new Jump.Log("PREROUTING:", s.logLevel())));
    }
    Jump toInbound = new Jump.ToChain(MESH_INBOUND.name());
    String comment = "send inbound TCP to " + MESH_INBOUND.name();
    if (s.virtualNetworks().isEmpty() && !s.inbound().insertJump()) {
      rules.add(Rule.append(NAT_PREROUTING, comment, toInbound, TCP));
      return;
    }
    List<RuleSettings.VirtualNetwork> networks = new ArrayList<>(s.virtualNetworks());
    networks.sort(Comparator.comparing(RuleSettings.VirtualNetwork::iface));
    for (RuleSettings.VirtualNetwork network : networks) {
      rules.add(
          Rule.insert(
              NAT_PREROUTING,
              "redirect DNS queries arriving on " + network.iface() + " to the kuma-dp DNS proxy",
              new Jump.RedirectTo(s.dns().port()),
              new InInterface(network.iface()),
              UDP,
              new DestinationPort(DNS_PORT, false)));
      rules.add(
          Rule.insert(
              NAT_PREROUTING,
              "redirect TCP arriving on "
                  + network.iface()
                  + " for outside "
                  + network.cidr()
                  + " to the outbound listener",
              new Jump.RedirectTo(s.outbound().port()),
              new Destination(network.cidr(), true),
              new InInterface(network.iface()),
              TCP));
    }
    rules.add(Rule.insert(NAT_PREROUTING, comment, toInbound, TCP));
  }

  private static void addMeshInbound(RuleSettings s, List<Rule> rules) {
    RuleSettings.Flow inbound = s.inbound();
    if (!inbound.enabled()) {
      rules.add(
          Rule.append(MESH_INBOUND, "inbound redirection is disabled", RETURN, TCP));
      return;
    }
    Jump toRedirect = new Jump.ToChain(MESH_INBOUND_REDIRECT.name());
    for (String source : s.excludedInboundSources()) {
      rules.add(
          Rule.append(
              MESH_INBOUND,
              "skip redirection for excluded source " + source,
              RETURN,
              new Source(source, false)));
    }
    for (int port : inbound.includePorts()) {
      rules.add(
          Rule.append(
              MESH_INBOUND,
              "redirect inbound traffic to port " + port,
              toRedirect,
              TCP,
              new DestinationPort(port, false)));
    }
    if (!inbound.includePorts().isEmpty()) {
      return;
    }
    for (int port : inbound.excludePorts()) {
      rules.add(
          Rule.append(
              MESH_INBOUND,
              "skip redirection for inbound port " + port,
              RETURN,
              TCP,
              new DestinationPort(port, false)));
    }
    rules.add(Rule.append(MESH_INBOUND, "redirect all other inbound TCP", toRedirect, TCP));
  }

  private static void addMeshOutbound(RuleSettings s, List<Rule> rules) {
    RuleSettings.Flow outbound = s.outbound();
    if (!outbound.enabled()) {
      rules.add(
          Rule.append(MESH_OUTBOUND, "outbound redirection is disabled", RETURN, TCP));
      return;
    }
    if (outbound.includePorts().isEmpty()) {
      for (int port : outbound.excludePorts()) {
        rules.add(
            Rule.append(
                MESH_OUTBOUND,
                "skip redirection for outbound port " + port,
                RETURN,
                TCP,
                new DestinationPort(port, false)));
      }
    }
    String localhost = s.family().localhost();
    boolean dns = s.dns().enabled();
    rules.add(
        Rule.append(
            MESH_OUTBOUND,
            "traffic Envoy sends from "
                + s.family().inboundPassthrough()
                + " to the app over loopback is not redirected again",
            RETURN,
            new Source(s.family().inboundPassthrough(), false),
            new OutInterface(s.loopback())));
    rules.add(
        new Rule(
            MESH_OUTBOUND,
            false,
            withoutDns(
                dns,
                new OutInterface(s.loopback()),
                new Destination(localhost, true),
                new Owner(s.uid(), false)),
            new Jump.ToChain(MESH_INBOUND_REDIRECT.name()),
            "Envoy (UID "
                + s.uid()
                + ") calling a local non-localhost address is handled as inbound"));
    rules.add(
        new Rule(
            MESH_OUTBOUND,
            false,
            withoutDns(dns, new OutInterface(s.loopback()), new Owner(s.uid(), true)),
            RETURN,
            "loopback traffic of other users than UID " + s.uid() + " is not redirected"));
    rules.add(
        Rule.append(
            MESH_OUTBOUND,
            "traffic of the kuma-dp user (UID " + s.uid() + ") is never redirected",
            RETURN,
            new Owner(s.uid(), false)));
    rules.add(
        Rule.append(
            MESH_OUTBOUND,
            "traffic to " + localhost + " is not redirected",
            RETURN,
            new Destination(localhost, false)));
    Jump toRedirect = new Jump.ToChain(MESH_OUTBOUND_REDIRECT.name());
    for (int port : outbound.includePorts()) {
      rules.add(
          Rule.append(
              MESH_OUTBOUND,
              "redirect outbound traffic to port " + port,
              toRedirect,
              TCP,
              new DestinationPort(port, false)));
    }
    if (outbound.includePorts().isEmpty()) {
      rules.add(Rule.append(MESH_OUTBOUND, "redirect all other outbound traffic", toRedirect));
    }
  }

  /** {@code -p tcp [! --dport 53]} followed by {@code rest}. */
  private static List<Match> withoutDns(boolean dns, Match... rest) {
    List<Match> matches = new ArrayList<>();
    matches.add(TCP);
    if (dns) {
      matches.add(new DestinationPort(DNS_PORT, true));
    }
    matches.addAll(List.of(rest));
    return matches;
  }

  private static Rule redirect(Chain chain, int port) {
    return Rule.append(
        chain, "redirect TCP to Envoy on port " + port, new Jump.RedirectTo(port), TCP);
  }

  private static boolean isLoopback(String address) {
    String host = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
    return host.startsWith("127.") || host.equals("::1");
  }
}
