package io.meshlite.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.iptables.testing.TestHosts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    return TransparentProxyCommands.run(
        TestHosts.bare(env), new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void badValuesGiveOneLineAndNonZeroExit() {
    int code =
        run(
            Map.of(),
            "--dry-run",
            "--exclude-outbound-ports-for-uids",
            "tcp:80:*",
            "--redirect-inbound-port",
            "99999");

    assertThat(code).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .hasLineCount(1)
        .startsWith("kuma-init: --redirect-inbound-port: '99999' is not a valid port")
        .contains("--exclude-outbound-ports-for-uids: 'tcp:80:*'");
  }

  @Test
  void unknownFlagIsOneLine() {
    assertThat(run(Map.of(), "--redirect-everything")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "kuma-init: Unknown option: '--redirect-everything' (see 'kuma-init --help')"
                + System.lineSeparator());
  }

  @Test
  void dnsFlagsAreMutuallyExclusive() {
    assertThat(run(Map.of(), "--dry-run", "--redirect-dns", "--redirect-all-dns-traffic"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("cannot be used together").hasLineCount(1);
  }

  @Test
  void environmentOverridesDefaultsAndFlagsOverrideEnvironment() {
    Map<String, String> env =
        Map.of(
            "KUMA_TRANSPARENT_PROXY_REDIRECT_OUTBOUND_PORT", "16001",
            "KUMA_TRANSPARENT_PROXY_IP_FAMILY_MODE", "ipv4",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_INBOUND_PORT", "16006");

    assertThat(run(env, "install", "--dry-run", "--redirect-inbound-port", "17006")).isZero();

    assertThat(out.toString())
        .contains("--to-ports 16001")
        .contains("--to-ports 17006")
        .doesNotContain("### IPv6 ###");
  }

  @Test
  void olderPerProtocolUidExclusionFlagsStillWork() {
    assertThat(
            run(
                Map.of(),
                "--dry-run",
                "--ip-family-mode",
                "ipv4",
                "--exclude-outbound-udp-ports-for-uids=53:0",
                "--exclude-outbound-tcp-ports-for-uids=80:0"))
        .isZero();
    assertThat(out.toString())
        .contains("-p udp -m multiport --dports 53 -m owner --uid-owner 0 -j RETURN")
        .contains("-p tcp -m multiport --dports 80 -m owner --uid-owner 0 -j RETURN");
  }

  @Test
  void subcommandsExistForKumactlAndKumaInit() {
    CommandLine root = TransparentProxyCommands.kumaInit(TestHosts.bare(Map.of()));
    assertThat(root.getSubcommands()).containsOnlyKeys("install", "uninstall", "verify");
    assertThat(TransparentProxyCommands.install(TestHosts.bare(Map.of())).getCommandName())
        .isEqualTo("transparent-proxy");
    assertThat(TransparentProxyCommands.uninstall(TestHosts.bare(Map.of())).getCommandName())
        .isEqualTo("transparent-proxy");
  }

  @Test
  void installMountedUnderAnotherRootReportsWithThatRootsName() {
    CommandLine kumactl = new CommandLine(new KumactlStub());
    CommandLine install = new CommandLine(new KumactlStub.Install());
    kumactl.addSubcommand("install", install);
    install.addSubcommand(TransparentProxyCommands.install(TestHosts.bare(Map.of())));
    kumactl.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    int code = kumactl.execute("install", "transparent-proxy", "--dry-run", "--wait", "x");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "kumactl: --wait: 'x' (expected: a whole number >= 0)" + System.lineSeparator());
  }

  @CommandLine.Command(name = "kumactl")
  static final class KumactlStub implements Runnable {
    @Override
    public void run() {}

    @CommandLine.Command(name = "install")
    static final class Install implements Runnable {
      @Override
      public void run() {}
    }
  }
}
