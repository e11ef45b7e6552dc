package io.meshlite.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.iptables.testing.TestHosts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dry-run text (restore input for both families) over flag combinations, compared with
 * src/test/resources/golden/restore/*.golden.txt. Regenerate with -Dgolden.update=true.
 */
class DryRunGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/restore");
  private static final Path RESOLV = Path.of("src/test/resources/resolv/resolv.conf");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("defaults", new String[] {}),
        Arguments.of(
            "custom-ports-and-user",
            new String[] {
              "--redirect-inbound-port", "12346", "--redirect-outbound-port", "12345",
              "--kuma-dp-user", "nobody"
            }),
        Arguments.of(
            "excluded-ports-and-ips",
            new String[] {
              "--exclude-inbound-ports", "22,4444",
              "--exclude-outbound-ports", "1,22,333",
              "--exclude-inbound-ips", "192.168.0.1,172.32.0.0/16",
              "--exclude-inbound-ips", "fe80::/10",
              "--exclude-outbound-ips", "10.0.0.1/32",
              "--exclude-outbound-ips", "192.168.0.0/24,fd00::/8"
            }),
        Arguments.of(
            "uid-exclusions",
            new String[] {
              "--exclude-outbound-ports-for-uids", "53,3000-5000:106-108",
              "--exclude-outbound-ports-for-uids", "tcp:*:0",
              "--exclude-outbound-ports-for-uids", "udp:123:1000"
            }),
        Arguments.of("dns", new String[] {"--redirect-dns"}),
        Arguments.of(
            "dns-no-conntrack", new String[] {"--redirect-dns", "--skip-dns-conntrack-zone-split"}),
        Arguments.of("dns-capture-all", new String[] {"--redirect-all-dns-traffic"}),
        Arguments.of("inbound-disabled", new String[] {"--redirect-inbound=false"}),
        Arguments.of("ipv4-only", new String[] {"--ip-family-mode", "ipv4"}),
        Arguments.of("logs", new String[] {"--iptables-logs", "--ip-family-mode", "ipv4"}),
        Arguments.of("drop-invalid", new String[] {"--drop-invalid-packets"}),
        Arguments.of(
            "comments-disabled",
            new String[] {"--disable-comments", "--redirect-dns", "--ip-family-mode", "ipv4"}),
        Arguments.of(
            "verbose", new String[] {"--verbose", "--redirect-dns", "--ip-family-mode", "ipv4"}),
        Arguments.of(
            "vnet-and-insert",
            new String[] {
              "--vnet", "docker0:172.17.0.0/16",
              "--vnet", "br+:172.18.0.0/16",
              "--redirect-all-dns-traffic",
              "--redirect-outbound-insert-instead-of-append",
              "--ip-family-mode", "ipv4"
            }),
        Arguments.of(
            "config-file", new String[] {"--config", "src/test/resources/config/full.yaml"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dryRunMatchesGolden(String name, String[] flags) throws IOException {
    String[] args = Stream.concat(Stream.of("--dry-run"), Stream.of(flags)).toArray(String[]::new);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var host =
        TestHosts.bare(
            Map.of(
                "KUMA_TRANSPARENT_PROXY_REDIRECT_DNS_RESOLV_CONFIG_PATH",
                RESOLV.toAbsolutePath().toString()));

    int code =
        TransparentProxyCommands.run(host, new PrintWriter(out), new PrintWriter(err), args);

    assertThat(err.toString()).isEmpty();
    assertThat(code).isZero();
    Path golden = GOLDEN.resolve(name + ".golden.txt");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, out.toString());
    }
    assertThat(out.toString()).isEqualTo(Files.readString(golden));
  }
}
