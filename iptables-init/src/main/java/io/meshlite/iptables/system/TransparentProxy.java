package io.meshlite.iptables.system;

import io.meshlite.iptables.config.TransparentProxyConfig;
import io.meshlite.iptables.config.TransparentProxyConfig.IpFamilyMode;
import io.meshlite.iptables.rules.Chain;
import io.meshlite.iptables.rules.IpFamily;
import io.meshlite.iptables.rules.RuleSet;
import io.meshlite.iptables.rules.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Install, uninstall, verify and dry-run of the transparent-proxy rules (kuma-dp-spec §5.5).
 *
 * <p>Install: resolve the kuma-dp UID, find the iptables executables and backend, read every
 * family's current rules and refuse when {@code KUMA_MESH} chains exist without our comments;
 * then per family remove our old rules ({@code iptables-save} minus our lines, checked with
 * {@code --test}, restored with flush) and apply the new ones atomically with {@code
 * iptables-restore --noflush}, retrying transient failures. If anything fails every family is
 * put back as it was.
 */
public final class TransparentProxy {
  private static final Logger log = LoggerFactory.getLogger(TransparentProxy.class);
  private static final String COMMENT_PROBE =
      "*nat\n-A OUTPUT -m comment --comment \""
          + RuleSet.COMMENT_PREFIX
          + "probe\" -j RETURN\nCOMMIT\n";
  private static final String CONNTRACK_PROBE =
      "*raw\n-A OUTPUT -p udp --dport 53 -j CT --zone 1\nCOMMIT\n";
  private static final String MANGLE_PROBE =
      "*mangle\n-A PREROUTING -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n";

  private final Host host;
  private final NetworkProbe network;

  public TransparentProxy(Host host) {
    this.host = host;
    this.network = new NetworkProbe(host);
  }

  /** Whether our rules are in place, with a one-line explanation. */
  public record Verification(boolean installed, String message) {}

  /**
   * The rules an install would apply, as {@code ### IPv4 ###} / {@code ### IPv6 ###} sections
   * of restore text. Changes nothing and needs no privileges; assumes a full-featured iptables.
   */
  public String dryRun(TransparentProxyConfig config) {
    String uid = resolveUid(config, true);
    String loopback = network.loopbackName();
    List<String> nameservers = nameservers(config);
    List<String> sections = new ArrayList<>();
    for (IpFamily family : families(config)) {
      RulePlanner.Plan plan =
          RulePlanner.plan(
              config, family, uid, loopback, nameservers, RulePlanner.Capabilities.ASSUMED);
      plan.warnings().forEach(w -> log.warn("{}", w));
      sections.add("### " + family.label() + " ###");
      sections.add(plan.render(config.verbose()).strip());
    }
    return String.join("\n\n", sections) + "\n";
  }

  /** Installs the rules (or prints them with {@code dryRun}); returns the success line. */
  public String install(TransparentProxyConfig config) {
    if (config.dryRun()) {
      return dryRun(config);
    }
    if (config.storeFirewalld()) {
      log.warn("--store-firewalld is not supported: the rules do not survive a reboot");
    }
    requirePrivileges();
    String uid = resolveUid(config, false);
    List<Target> targets = new ArrayList<>();
    Iptables v4 = locate(IpFamily.IPV4, config);
    targets.add(new Target(v4, v4.save()));
    if (config.ipFamilyMode() == IpFamilyMode.DUALSTACK) {
      ipv6(config).ifPresent(targets::add);
    }
    for (Target target : targets) {
      refuseConflicts(target);
    }
    String loopback = network.loopbackName();
    List<String> nameservers = nameservers(config);
    List<Target> touched = new ArrayList<>();
    try {
      for (Target target : targets) {
        RulePlanner.Plan plan =
            RulePlanner.plan(
                config,
                target.iptables().family(),
                uid,
                loopback,
                nameservers,
                capabilities(target, config));
        plan.warnings().forEach(w -> log.warn("{}", w));
        touched.add(target);
        if (Cleanup.hasOurs(target.backup())) {
          removeOurs(target.iptables(), target.backup(), config);
        }
        restoreWithRetries(target.iptables(), plan.render(false), true, config);
      }
    } catch (RuntimeException e) {
      rollback(touched, config);
      throw e;
    }
    String families =
        String.join(" and ", targets.stream().map(t -> t.iptables().family().label()).toList());
    return "Transparent proxy set up successfully ("
        + families
        + "), you can now run kuma-dp as UID "
        + uid
        + " using transparent-proxy.";
  }

  /**
   * Removes our chains and rules from every family, leaving everything else; with {@code
   * dryRun} returns the rules that would remain instead.
   */
  public String uninstall(boolean dryRun, Map<String, String> executables) {
    requirePrivileges();
    TransparentProxyConfig defaults = TransparentProxyConfig.defaults();
    List<Target> targets = new ArrayList<>();
    Iptables v4 =
        Iptables.locate(IpFamily.IPV4, executables, host, defaults.waitSeconds(), 0);
    targets.add(new Target(v4, v4.save()));
    try {
      Iptables v6 = Iptables.locate(IpFamily.IPV6, executables, host, defaults.waitSeconds(), 0);
      targets.add(new Target(v6, v6.save()));
    } catch (TransparentProxyException e) {
      log.debug("skipping IPv6 cleanup: {}", e.getMessage());
    }
    for (Target target : targets) {
      refuseConflicts(target);
    }
    List<String> output = new ArrayList<>();
    List<String> cleaned = new ArrayList<>();
    for (Target target : targets) {
      if (!Cleanup.hasOurs(target.backup())) {
        continue;
      }
      String remaining = Cleanup.withoutOurs(target.backup());
      CommandRunner.Result test = target.iptables().restore(remaining, false, true);
      if (!test.ok()) {
        throw target.iptables().failure(target.iptables().restorePath(), test);
      }
      if (dryRun) {
        output.add("### " + target.iptables().family().label() + " ###");
        output.add(remaining.strip());
      } else {
        restoreWithRetries(target.iptables(), remaining, false, defaults);
      }
      cleaned.add(target.iptables().family().label());
    }
    if (!dryRun) {
      restoreResolvConf();
    }
    if (dryRun) {
      return output.isEmpty()
          ? "no transparent proxy rules found; nothing would change"
          : String.join("\n\n", output);
    }
    return cleaned.isEmpty()
        ? "no transparent proxy rules found; nothing to remove"
        : "Transparent proxy cleaned up successfully (" + String.join(" and ", cleaned) + ")";
  }

  /** Checks that the rules {@code config} describes are in place. */
  public Verification verify(TransparentProxyConfig config) {
    requirePrivileges();
    String uid = resolveUid(config, true);
    List<Target> targets = new ArrayList<>();
    Iptables v4 = locate(IpFamily.IPV4, config);
    targets.add(new Target(v4, v4.save()));
    if (config.ipFamilyMode() == IpFamilyMode.DUALSTACK && network.hasPassthroughAddress()) {
      try {
        Iptables v6 = locate(IpFamily.IPV6, config);
        targets.add(new Target(v6, v6.save()));
      } catch (TransparentProxyException e) {
        log.debug("not verifying IPv6: {}", e.getMessage());
      }
    }
    String loopback = network.loopbackName();
    List<String> nameservers = nameservers(config);
    List<String> found = new ArrayList<>();
    for (Target target : targets) {
      IpFamily family = target.iptables().family();
      if (Cleanup.conflicting(target.backup())) {
        return new Verification(
            false,
            family.label() + ": KUMA_MESH chains without kuma-init comments (not ours)");
      }
      RulePlanner.Plan plan =
          RulePlanner.plan(
              config, family, uid, loopback, nameservers, capabilities(target, config));
      Optional<String> problem = missing(plan, target.backup());
      if (problem.isPresent()) {
        return new Verification(
            false,
            "transparent proxy rules are not in place: " + family.label() + ": " + problem.get());
      }
      found.add(family.label() + " " + Cleanup.ourRules(target.backup()).size() + " rules");
    }
    return new Verification(
        true, "transparent proxy rules are in place (" + String.join(", ", found) + ")");
  }

  /** What is missing from {@code save} compared to {@code plan}, if anything. Pure. */
  static Optional<String> missing(RulePlanner.Plan plan, String save) {
    RuleSet rules = plan.rules();
    for (Chain chain : rules.customChains()) {
      if (!save.contains(":" + chain.name() + " ")) {
        return Optional.of("chain " + chain.name() + " is missing");
      }
    }
    boolean inboundJump = jumps(save, "PREROUTING", Chain.MESH_INBOUND);
    boolean outboundJump = jumps(save, "OUTPUT", Chain.MESH_OUTBOUND);
    if (!inboundJump) {
      return Optional.of("PREROUTING does not jump to " + Chain.MESH_INBOUND.name());
    }
    if (!outboundJump) {
      return Optional.of("OUTPUT does not jump to " + Chain.MESH_OUTBOUND.name());
    }
    long expected = 0;
    for (Table table : Table.values()) {
      expected +=
          rules.ruleLines(table, plan.comments(), false).stream().filter(Cleanup::isOurs).count();
    }
    int actual = Cleanup.ourRules(save).size();
    if (actual != expected) {
      return Optional.of("found " + actual + " of our rules, expected " + expected);
    }
    return Optional.empty();
  }

  private static boolean jumps(String save, String from, Chain to) {
    return save.lines()
        .anyMatch(l -> l.startsWith("-A " + from + " ") && l.endsWith("-j " + to.name()));
  }

  private record Target(Iptables iptables, String backup) {}

  private Optional<Target> ipv6(TransparentProxyConfig config) {
    String fallback = ": installing IPv4 rules only (use --ip-family-mode ipv4 to silence this)";
    if (!network.hasNonLoopbackIpv6()) {
      log.warn("no non-loopback IPv6 address on this host{}", fallback);
      return Optional.empty();
    }
    Iptables v6;
    String save;
    try {
      v6 = locate(IpFamily.IPV6, config);
      save = v6.save();
    } catch (TransparentProxyException e) {
      log.warn("ip6tables is not usable ({}){}", e.getMessage(), fallback);
      return Optional.empty();
    }
    if (!network.addPassthroughAddress()) {
      log.warn("cannot add ::6/128 to the loopback interface{}", fallback);
      return Optional.empty();
    }
    return Optional.of(new Target(v6, save));
  }

  private Iptables locate(IpFamily family, TransparentProxyConfig config) {
    return Iptables.locate(
        family, config.executables(), host, config.waitSeconds(), config.waitIntervalMicros());
  }

  private RulePlanner.Capabilities capabilities(Target target, TransparentProxyConfig config) {
    Iptables iptables = target.iptables();
    boolean comments = config.commentsDisabled() || iptables.accepts(COMMENT_PROBE);
    boolean conntrack =
        !config.dns().enabled()
            || config.dns().skipConntrackZoneSplit()
            || iptables.accepts(CONNTRACK_PROBE);
    boolean mangle = !config.dropInvalidPackets() || iptables.accepts(MANGLE_PROBE);
    boolean docker = target.backup().contains(":DOCKER_OUTPUT ");
    return new RulePlanner.Capabilities(comments, conntrack, mangle, docker);
  }

  private void refuseConflicts(Target target) {
    if (Cleanup.conflicting(target.backup())) {
      throw new TransparentProxyException(
          target.iptables().family().command()
              + " already has KUMA_MESH chains without kuma-init comments (not created by"
              + " kuma-init, or installed with --disable-comments): nothing was changed; remove"
              + " them manually (e.g. iptables -t nat -F KUMA_MESH_INBOUND and -X) and retry");
    }
  }

  private void removeOurs(Iptables iptables, String save, TransparentProxyConfig config) {
    String remaining = Cleanup.withoutOurs(save);
    CommandRunner.Result test = iptables.restore(remaining, false, true);
    if (!test.ok()) {
      throw iptables.failure(iptables.restorePath(), test);
    }
    restoreWithRetries(iptables, remaining, false, config);
  }

  private void restoreWithRetries(
      Iptables iptables, String rules, boolean noflush, TransparentProxyConfig config) {
    int tries = config.maxRetries() + 1;
    for (int attempt = 1; ; attempt++) {
      CommandRunner.Result result = iptables.restore(rules, noflush, false);
      if (result.ok()) {
        return;
      }
      if (attempt >= tries || Iptables.isPermissionProblem(result.message())) {
        throw iptables.failure(iptables.restorePath(), result);
      }
      log.warn(
          "{} failed (try {}/{}): {}; retrying in {}",
          iptables.restorePath().getFileName(),
          attempt,
          tries,
          result.message(),
          config.sleepBetweenRetries().toMillis() + "ms");
      try {
        host.sleeper().sleep(config.sleepBetweenRetries());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransparentProxyException("interrupted while retrying iptables-restore", e);
      }
    }
  }

  private void rollback(List<Target> touched, TransparentProxyConfig config) {
    for (Target target : touched.reversed()) {
      try {
        String now = target.iptables().save();
        if (Cleanup.hasOurs(now)) {
          target.iptables().restore(Cleanup.withoutOurs(now), false, false);
        }
        CommandRunner.Result result = target.iptables().restore(target.backup(), false, false);
        if (!result.ok()) {
          log.error(
              "could not put back the previous {} rules: {}",
              target.iptables().family().label(),
              result.message());
        }
      } catch (RuntimeException e) {
        log.error(
            "could not put back the previous {} rules: {}",
            target.iptables().family().label(),
            e.getMessage());
      }
    }
  }

  private void requirePrivileges() {
    if (host.users().effectiveUid() == 0 || host.netAdmin().getAsBoolean()) {
      return;
    }
    throw new TransparentProxyException(
        "changing iptables rules needs root (or CAP_NET_ADMIN): re-run with sudo, or pass"
            + " --dry-run to only print the rules");
  }

  /**
   * The kuma-dp UID: {@code --kuma-dp-user} as UID or name, else UID 5678, else user {@code
   * kuma-dp}. {@code lenient} (dry run, verify) accepts a UID that no user has.
   */
  String resolveUid(TransparentProxyConfig config, boolean lenient) {
    String user = config.kumaDpUser();
    if (config.cniMode()) {
      return user.isEmpty() ? Integer.toString(TransparentProxyConfig.DEFAULT_UID) : user;
    }
    if (!user.isEmpty()) {
      if (user.matches("\\d{1,10}") && Long.parseLong(user) <= 0xFFFFFFFEL) {
        long uid = Long.parseLong(user);
        if (lenient || host.users().uidExists(uid)) {
          return Long.toString(uid);
        }
      }
      OptionalLong byName = host.users().uidOf(user);
      if (byName.isPresent()) {
        return Long.toString(byName.getAsLong());
      }
      throw new TransparentProxyException(
          "--kuma-dp-user: '"
              + user
              + "' is neither a UID nor a user name on this host: create the user or pass an"
              + " existing one");
    }
    if (host.users().uidExists(TransparentProxyConfig.DEFAULT_UID)) {
      return Integer.toString(TransparentProxyConfig.DEFAULT_UID);
    }
    OptionalLong byName = host.users().uidOf(TransparentProxyConfig.DEFAULT_USER);
    if (byName.isPresent()) {
      return Long.toString(byName.getAsLong());
    }
    if (lenient) {
      return Integer.toString(TransparentProxyConfig.DEFAULT_UID);
    }
    throw new TransparentProxyException(
        "no --kuma-dp-user given and neither UID 5678 nor user 'kuma-dp' exists: create it"
            + " (useradd -u 5678 -U kuma-dp) or pass --kuma-dp-user <name|uid>");
  }

  private List<IpFamily> families(TransparentProxyConfig config) {
    return config.ipFamilyMode() == IpFamilyMode.IPV4
        ? List.of(IpFamily.IPV4)
        : List.of(IpFamily.IPV4, IpFamily.IPV6);
  }

  private List<String> nameservers(TransparentProxyConfig config) {
    if (!config.dns().enabled() || config.dns().captureAll()) {
      return List.of();
    }
    Path path = Path.of(config.dns().resolvConfigPath());
    try {
      return RulePlanner.nameservers(path);
    } catch (IOException e) {
      throw new TransparentProxyException(
          "--redirect-dns: cannot read nameservers from "
              + path
              + " ("
              + e.getMessage()
              + "): fix redirect.dns.resolvConfigPath or use --redirect-all-dns-traffic");
    }
  }

  private void restoreResolvConf() {
    Path resolvConf = host.resolvConf();
    Path backup = resolvConf.resolveSibling(resolvConf.getFileName() + ".kuma-backup");
    if (!Files.exists(backup)) {
      return;
    }
    try {
      Files.move(backup, host.resolvConf(), StandardCopyOption.REPLACE_EXISTING);
      log.info("restored {} from {}", host.resolvConf(), backup);
    } catch (IOException e) {
      log.warn("could not restore {} from {}: {}", host.resolvConf(), backup, e.getMessage());
    }
  }
}
