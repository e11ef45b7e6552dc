package io.meshlite.iptables.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.iptables.config.TransparentProxyConfig.IpFamilyMode;
import io.meshlite.iptables.rules.PortExclusion;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void defaultsAreKumas() {
    TransparentProxyConfig c = TransparentProxyConfig.defaults();
    assertThat(c.kumaDpUser()).isEmpty();
    assertThat(c.ipFamilyMode()).isEqualTo(IpFamilyMode.DUALSTACK);
    assertThat(c.inbound().enabled()).isTrue();
    assertThat(c.inbound().port()).isEqualTo(15006);
    assertThat(c.outbound().enabled()).isTrue();
    assertThat(c.outbound().port()).isEqualTo(15001);
    assertThat(c.dns().enabled()).isFalse();
    assertThat(c.dns().captureAll()).isFalse();
    assertThat(c.dns().port()).isEqualTo(15053);
    assertThat(c.dns().resolvConfigPath()).isEqualTo("/etc/resolv.conf");
    assertThat(c.waitSeconds()).isEqualTo(5);
    assertThat(c.waitIntervalMicros()).isZero();
    assertThat(c.maxRetries()).isEqualTo(4);
    assertThat(c.sleepBetweenRetries()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.logEnabled()).isFalse();
    assertThat(c.logLevel()).isEqualTo(7);
    assertThat(c.commentsDisabled()).isFalse();
    assertThat(c.dropInvalidPackets()).isFalse();
    assertThat(c.executables()).isEmpty();
    assertThat(c.virtualNetworks()).isEmpty();
  }

  @Test
  void environmentNamesArePinned() {
    assertThat(Arrays.stream(ConfigKey.values()).map(ConfigKey::env))
        .contains(
            "KUMA_TRANSPARENT_PROXY_KUMA_DP_USER",
            "KUMA_TRANSPARENT_PROXY_IP_FAMILY_MODE",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_INBOUND_ENABLED",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_INBOUND_PORT",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_OUTBOUND_PORT",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_OUTBOUND_EXCLUDE_PORTS",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_OUTBOUND_EXCLUDE_PORTS_FOR_UIDS",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_INBOUND_EXCLUDE_PORTS_FOR_IPS",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_ENABLED",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_PORT",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_CAPTURE_ALL",
            "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_RESOLV_CONFIG_PATH",
            "KUMA_TRANSPARENT_PROXY_DROP_INVALID_PACKETS",
            "KUMA_TRANSPARENT_PROXY_COMMENTS_DISABLED",
            "KUMA_TRANSPARENT_PROXY_LOG_ENABLED",
            "KUMA_TRANSPARENT_PROXY_RETRY_MAX_RETRIES",
            "KUMA_TRANSPARENT_PROXY_IPTABLES_EXECUTABLES");
  }

  @Test
  void fileThenEnvironmentThenFlagsWin() {
    ConfigLayer file =
        ConfigLoader.fromYaml(
            """
            redirect:
              inbound:
                port: 1001
              outbound:
                port: 2001
              dns:
                port: 3001
            """,
            "tp.yaml");
    ConfigLayer env =
        ConfigLoader.fromEnv(
            Map.of(
                "KUMA_TRANSPARENT_PROXY_REDIRECT_OUTBOUND_PORT", "2002",
                "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_PORT", "3002"));
    ConfigLayer flags =
        new ConfigLayer("flags").set(ConfigKey.DNS_PORT, "3003", "--redirect-dns-port");

    TransparentProxyConfig c = ConfigLoader.load(List.of(file, env, flags));

    assertThat(c.inbound().port()).isEqualTo(1001);
    assertThat(c.outbound().port()).isEqualTo(2002);
    assertThat(c.dns().port()).isEqualTo(3003);
  }

  @Test
  void yamlAndJsonFilesAreRead() {
    TransparentProxyConfig yaml =
        ConfigLoader.load(
            List.of(
                ConfigLoader.fromYaml(
                    """
                    # comment
                    kumaDPUser: "kuma-dp"   # trailing comment
                    ipFamilyMode: ipv4
                    redirect:
                      outbound:
                        excludePorts: [22, "80"]
                        excludePortsForUIDs:
                          - tcp:53:0
                        excludePortsForIPs: 10.0.0.0/8,fd00::/8
                      vnet:
                        networks:
                        - docker0:172.17.0.0/16
                    iptablesExecutables:
                      iptables: /usr/sbin/iptables-nft
                    retry:
                      sleepBetweenRetries: 1m30s
                    """,
                    "a.yaml")));
    assertThat(yaml.kumaDpUser()).isEqualTo("kuma-dp");
    assertThat(yaml.ipFamilyMode()).isEqualTo(IpFamilyMode.IPV4);
    assertThat(yaml.outbound().excludePorts()).containsExactly(22, 80);
    assertThat(yaml.outbound().excludePortsForUids())
        .containsExactly(new PortExclusion("tcp", "53", "0"));
    assertThat(yaml.outbound().excludeIps()).containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(yaml.virtualNetworks()).hasSize(1);
    assertThat(yaml.executables()).containsEntry("iptables", "/usr/sbin/iptables-nft");
    assertThat(yaml.sleepBetweenRetries()).isEqualTo(Duration.ofSeconds(90));

    TransparentProxyConfig json =
        ConfigLoader.load(
            List.of(
                ConfigLoader.fromYaml(
                    "{\"redirect\": {\"dns\": {\"enabled\": true, \"captureAll\": true}},"
                        + " \"log\": {\"enabled\": true, \"level\": 4}}",
                    "a.json")));
    assertThat(json.dns().enabled()).isTrue();
    assertThat(json.dns().captureAll()).isTrue();
    assertThat(json.logLevel()).isEqualTo(4);
  }

  @Test
  void everyProblemIsReportedWithItsOrigin() {
    ConfigLayer file =
        ConfigLoader.fromYaml(
            """
            redirect:
              inbound:
                port: 0
              dns:
                enabled: maybe
            ipFamilyMode: ipv6
            """,
            "tp.yaml");
    ConfigLayer flags =
        new ConfigLayer("flags")
            .set(
                ConfigKey.OUTBOUND_EXCLUDE_PORTS_FOR_UIDS,
                List.of("tcp:80:*"),
                "--exclude-outbound-ports-for-uids");

    assertThatThrownBy(() -> ConfigLoader.load(List.of(file, flags)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "tp.yaml: redirect.inbound.port: '0' is not a valid port (expected:"
                            + " 1-65535)",
                        "tp.yaml: redirect.dns.enabled: 'maybe' (expected: true or false)",
                        "tp.yaml: ipFamilyMode: 'ipv6' (expected: dualstack or ipv4)",
                        "--exclude-outbound-ports-for-uids: 'tcp:80:*': the UID must be a number"
                            + " or a range, not '*' (expected: [protocol:][ports:]uids, e.g."
                            + " tcp:53,3000-5000:106-108)"));
  }

  @Test
  void unknownKeysAndSyntaxErrorsAreRejected() {
    assertThatThrownBy(
            () -> ConfigLoader.fromYaml("redirect:\n  inbound:\n    prot: 1\n", "x.yaml"))
        .hasMessage("x.yaml: unknown key 'redirect.inbound.prot'");
    assertThatThrownBy(() -> ConfigLoader.fromYaml("redirect:\n  dns: [1, 2\n", "x.yaml"))
        .hasMessageStartingWith("x.yaml: line 2:");
    assertThatThrownBy(() -> ConfigLoader.fromYaml("- a\n- b\n", "x.yaml"))
        .hasMessage("x.yaml: expected a mapping at the top level");
  }

  @Test
  void ebpfIsRefusedButItsOtherKeysAreIgnored() {
    assertThat(
            ConfigLoader.load(
                    List.of(
                        ConfigLoader.fromYaml(
                            "ebpf:\n  enabled: false\n  bpffsPath: /run/kuma/bpf\n", "x")))
                .inbound()
                .enabled())
        .isTrue();
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    List.of(ConfigLoader.fromYaml("ebpf:\n  enabled: true\n", "x"))))
        .hasMessageContaining("x: ebpf.enabled: true (expected: false");
  }
}
