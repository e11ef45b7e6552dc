package io.meshlite.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.meshlite.iptables.system.CommandRunner;
import io.meshlite.iptables.system.ExecutableLocator;
import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.PosixUserLookup;
import io.meshlite.iptables.system.ProcessCommandRunner;
import io.meshlite.iptables.testing.RedirectProbe;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kuma-init against real iptables in a pair of network namespaces this test creates (joined by
 * a veth pair with 10.200.0.1 / 10.200.0.2, addresses that exist only inside them). Needs root,
 * iproute2 and iptables; fails (never skips) when they are missing.
 */
class KumaInitNetnsIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final String PROXY_USER = "nobody";
  private static final String PROXY_UID = "65534";
  private static final String APP_ADDRESS = "10.200.0.1";
  private static final String PEER_ADDRESS = "10.200.0.2";

  private final ProcessCommandRunner processes = new ProcessCommandRunner(COMMAND_TIMEOUT);
  private final List<String> namespaces = new ArrayList<>();
  private String ns;
  private String peer;
  private Host host;
  @TempDir private Path tmp;

  @BeforeEach
  void createNamespaces() throws IOException {
    String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    ns = "meshlite-it-" + suffix;
    peer = "meshlite-it-" + suffix + "-peer";
    ExecutableLocator locator = new ExecutableLocator(System.getenv("PATH"));
    if (locator.find("ip").isEmpty()) {
      fail("the 'ip' command (iproute2) is missing: install iproute2; this test needs ip netns");
    }
    if (locator.find("iptables").isEmpty()) {
      fail("iptables is missing: install it (apt-get install iptables); this test needs it");
    }
    for (String name : List.of(ns, peer)) {
      CommandRunner.Result added = processes.run(List.of("ip", "netns", "add", name), null);
      if (!added.ok()) {
        fail(
            "ip netns add "
                + name
                + " failed ("
                + added.message()
                + "): this integration test needs root and network namespace support");
      }
      namespaces.add(name);
      in(name, "ip", "link", "set", "lo", "up");
    }
    in(ns, "ip", "link", "add", "mlv0", "type", "veth", "peer", "name", "mlv1", "netns", peer);
    in(ns, "ip", "addr", "add", APP_ADDRESS + "/24", "dev", "mlv0");
    in(peer, "ip", "addr", "add", PEER_ADDRESS + "/24", "dev", "mlv1");
    in(ns, "ip", "link", "set", "mlv0", "up");
    in(peer, "ip", "link", "set", "mlv1", "up");
    CommandRunner inNamespace =
        (argv, stdin) ->
            processes.run(
                Stream.concat(Stream.of("ip", "netns", "exec", ns), argv.stream()).toList(),
                stdin);
    host =
        new Host(
            inNamespace,
            locator,
            new PosixUserLookup(),
            () -> false,
            Map.of(),
            new ByteArrayInputStream(new byte[0]),
            duration -> {},
            tmp.resolve("resolv.conf"));
  }

  @AfterEach
  void deleteNamespaces() throws IOException {
    for (String name : namespaces) {
      processes.run(List.of("ip", "netns", "del", name), null);
    }
  }

  @Test
  void installCreatesOurChainsInKumasOrder() throws IOException {
    Run install = kumaInit("--kuma-dp-user", PROXY_USER, "--ip-family-mode", "ipv4");

    assertThat(install.code()).as(install.err()).isZero();
    assertThat(install.out()).startsWith("Transparent proxy set up successfully (IPv4)");
    String save = in(ns, "iptables-save", "-t", "nat");
    assertThat(save)
        .contains(":KUMA_MESH_INBOUND - ", ":KUMA_MESH_INBOUND_REDIRECT - ")
        .contains(":KUMA_MESH_OUTBOUND - ", ":KUMA_MESH_OUTBOUND_REDIRECT - ");
    assertThat(ruleLines(save))
        .containsExactly(
            "-A PREROUTING -p tcp -j KUMA_MESH_INBOUND",
            "-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND",
            "-A KUMA_MESH_INBOUND -p tcp -j KUMA_MESH_INBOUND_REDIRECT",
            "-A KUMA_MESH_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
            "-A KUMA_MESH_OUTBOUND -s 127.0.0.6/32 -o lo -j RETURN",
            "-A KUMA_MESH_OUTBOUND ! -d 127.0.0.1/32 -o lo -p tcp -m owner --uid-owner "
                + PROXY_UID
                + " -j KUMA_MESH_INBOUND_REDIRECT",
            "-A KUMA_MESH_OUTBOUND -o lo -p tcp -m owner ! --uid-owner "
                + PROXY_UID
                + " -j RETURN",
            "-A KUMA_MESH_OUTBOUND -m owner --uid-owner " + PROXY_UID + " -j RETURN",
            "-A KUMA_MESH_OUTBOUND -d 127.0.0.1/32 -j RETURN",
            "-A KUMA_MESH_OUTBOUND -j KUMA_MESH_OUTBOUND_REDIRECT",
            "-A KUMA_MESH_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15001");
    assertThat(save.lines().filter(l -> l.startsWith("-A ")))
        .allSatisfy(l -> assertThat(l).contains("--comment \"kuma/mesh/transparent/proxy/"));
  }

  @Test
  void installTwiceIsIdempotentAndUninstallKeepsUnrelatedRules() throws IOException {
    in(ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-d", "127.0.0.99/32", "-p", "tcp", "--dport",
        "9", "-j", "RETURN");
    in(ns, "iptables", "-t", "filter", "-A", "INPUT", "-s", "127.0.0.98/32", "-j", "DROP");
    String[] flags = {
      "--kuma-dp-user", PROXY_USER, "--ip-family-mode", "ipv4", "--redirect-all-dns-traffic",
      "--exclude-outbound-ports-for-uids", "tcp:22:0", "--exclude-inbound-ports", "22",
      "--drop-invalid-packets"
    };

    assertThat(kumaInit(flags).code()).isZero();
    String first = in(ns, "iptables-save");
    assertThat(kumaInit(flags).code()).isZero();
    String second = in(ns, "iptables-save");

    assertThat(ourLines(second)).isEqualTo(ourLines(first)).hasSizeGreaterThan(20);
    assertThat(countRules(second)).isEqualTo(countRules(first));
    assertThat(second.lines().filter(l -> l.contains("127.0.0.99/32"))).hasSize(1);
    assertThat(second).contains("*raw", "-j CT --zone 1", "*mangle", "--ctstate INVALID -j DROP");

    Run verify =
        kumaInit(Stream.concat(Stream.of("verify"), Stream.of(flags)).toArray(String[]::new));
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).hasLineCount(1).startsWith("transparent proxy rules are in place");

    Run uninstall = kumaInit("uninstall");
    assertThat(uninstall.code()).as(uninstall.err()).isZero();
    assertThat(uninstall.out()).startsWith("Transparent proxy cleaned up successfully");
    String after = in(ns, "iptables-save");
    assertThat(after).doesNotContain("KUMA_MESH").doesNotContain("kuma/mesh/transparent/proxy");
    assertThat(after)
        .contains("-A OUTPUT -d 127.0.0.99/32 -p tcp -m tcp --dport 9 -j RETURN")
        .contains("-A INPUT -s 127.0.0.98/32 -j DROP");

    Run verifyAfter =
        kumaInit(Stream.concat(Stream.of("verify"), Stream.of(flags)).toArray(String[]::new));
    assertThat(verifyAfter.code()).isEqualTo(1);
    assertThat(verifyAfter.out())
        .hasLineCount(1)
        .startsWith("transparent proxy rules are not in place");
  }

  @Test
  void foreignKumaMeshChainIsRefusedAndNothingChanges() throws IOException {
    in(ns, "iptables", "-t", "nat", "-N", "KUMA_MESH_INBOUND");
    in(ns, "iptables", "-t", "nat", "-A", "KUMA_MESH_INBOUND", "-p", "tcp", "-j", "RETURN");
    in(ns, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "KUMA_MESH_INBOUND");
    String before = withoutComments(in(ns, "iptables-save"));

    Run install = kumaInit("--kuma-dp-user", PROXY_USER, "--ip-family-mode", "ipv4");
    Run uninstall = kumaInit("uninstall");

    assertThat(install.code()).isEqualTo(1);
    assertThat(install.err()).hasLineCount(1).contains("remove them manually");
    assertThat(uninstall.code()).isEqualTo(1);
    assertThat(uninstall.err()).hasLineCount(1).contains("remove them manually");
    assertThat(withoutComments(in(ns, "iptables-save"))).isEqualTo(before);
  }

  @Test
  void dualStackInstallsIp6tablesRulesWhenTheHostHasIpv6() throws IOException {
    in(ns, "ip", "-6", "addr", "add", "fd42:200::1/64", "dev", "mlv0", "nodad");

    Run install = kumaInit("--kuma-dp-user", PROXY_USER);

    assertThat(install.code()).as(install.err()).isZero();
    assertThat(install.out()).startsWith("Transparent proxy set up successfully (IPv4 and IPv6)");
    assertThat(in(ns, "ip", "-6", "addr", "show", "dev", "lo")).contains("::6/128");
    String save6 = in(ns, "ip6tables-save", "-t", "nat");
    assertThat(ruleLines(save6))
        .contains(
            "-A KUMA_MESH_OUTBOUND -s ::6/128 -o lo -j RETURN",
            "-A KUMA_MESH_OUTBOUND -d ::1/128 -j RETURN");
    assertThat(kumaInit("verify", "--kuma-dp-user", PROXY_USER).out()).contains("IPv6");
    assertThat(kumaInit("uninstall").out()).contains("IPv4 and IPv6");
    assertThat(in(ns, "ip6tables-save")).doesNotContain("KUMA_MESH");
  }

  @Test
  void outboundTcpLandsOnTheOutboundListenerExceptForTheProxyUser() throws Exception {
    assertThat(kumaInit("--kuma-dp-user", PROXY_USER, "--ip-family-mode", "ipv4").code()).isZero();

    Probe redirected = probe(ns, List.of(), "outbound", "15001", PEER_ADDRESS, "80", "5000");
    assertThat(redirected.code()).as(redirected.output()).isZero();
    assertThat(redirected.output()).startsWith("ACCEPTED");

    // the proxy's own traffic (UID 65534) is not redirected: it reaches the peer, which refuses
    Probe exempt =
        probe(
            ns,
            List.of("setpriv", "--reuid=" + PROXY_UID, "--regid=" + PROXY_UID, "--clear-groups"),
            "outbound", "15001", PEER_ADDRESS, "80", "5000");
    assertThat(exempt.code()).as(exempt.output()).isEqualTo(1);
    assertThat(exempt.output()).startsWith("NOT_ACCEPTED");
  }

  @Test
  void inboundTcpLandsOnTheInboundListener() throws Exception {
    assertThat(kumaInit("--kuma-dp-user", PROXY_USER, "--ip-family-mode", "ipv4").code()).isZero();
    Process listener = start(ns, List.of(), "listen", "15006", "10000");
    var stdout = new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8);
    try (BufferedReader lines = new BufferedReader(stdout)) {
      List<String> seen = new CopyOnWriteArrayList<>();
      Thread.ofVirtual().start(() -> lines.lines().forEach(seen::add));
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("LISTENING"));

      Probe client = probe(peer, List.of(), "connect", APP_ADDRESS, "8080", "5000");

      assertThat(client.output()).startsWith("CONNECTED");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> seen.stream().anyMatch(l -> l.startsWith("ACCEPTED from /" + PEER_ADDRESS)));
    } finally {
      listener.destroyForcibly();
    }
  }

  private record Run(int code, String out, String err) {}

  private record Probe(int code, String output) {}

  private Run kumaInit(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TransparentProxyCommands.run(host, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private String in(String namespace, String... argv) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.addAll(List.of(argv));
    CommandRunner.Result result = processes.run(command, null);
    if (!result.ok()) {
      fail(String.join(" ", command) + " failed: " + result.message());
    }
    return result.stdout();
  }

  /** Our rules (and the jumps into our chains) as iptables-save prints them, comments removed. */
  private static List<String> ruleLines(String save) {
    return save.lines()
        .filter(l -> l.startsWith("-A ") && l.contains("KUMA_MESH"))
        .map(KumaInitNetnsIT::withoutComments)
        .toList();
  }

  /** Every rule we installed (by chain name or comment), comments removed. */
  private static List<String> ourLines(String save) {
    return save.lines()
        .filter(l -> l.startsWith("-A "))
        .filter(l -> l.contains("KUMA_MESH") || l.contains("kuma/mesh/transparent/proxy/"))
        .map(KumaInitNetnsIT::withoutComments)
        .toList();
  }

  private static long countRules(String save) {
    return save.lines().filter(l -> l.startsWith("-A ")).count();
  }

  private static String withoutComments(String text) {
    return text.lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll(" -m comment --comment \"[^\"]*\"", ""))
        .reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
  }

  private Probe probe(String namespace, List<String> prefix, String... args) throws Exception {
    Process process = start(namespace, prefix, args);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Probe(process.waitFor(), output.strip());
  }

  private Process start(String namespace, List<String> prefix, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.addAll(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(probeClasspath().toString());
    command.add(RedirectProbe.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** A world-readable copy of the probe class, so it also runs as the unprivileged proxy user. */
  private Path probeClasspath() throws IOException {
    Path root = tmp.resolve("probe-classes");
    String relative = RedirectProbe.class.getName().replace('.', '/') + ".class";
    Path target = root.resolve(relative);
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      try (var in = RedirectProbe.class.getResourceAsStream("/" + relative)) {
        Files.copy(in, target);
      }
      var dirMode = PosixFilePermissions.fromString("rwxr-xr-x");
      for (Path p = target.getParent(); p.startsWith(tmp); p = p.getParent()) {
        Files.setPosixFilePermissions(p, dirMode);
      }
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }
    return root;
  }
}
