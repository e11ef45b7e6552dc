package io.meshlite.iptables.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.iptables.rules.PortExclusion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExclusionsTest {

  @Test
  void uidExclusionWithPortsAndUidRangeCoversBothProtocols() {
    assertThat(Exclusions.uidExclusion("53,3000-5000:106-108"))
        .containsExactly(
            new PortExclusion("tcp", "53,3000:5000", "106-108"),
            new PortExclusion("udp", "53,3000:5000", "106-108"));
  }

  @Test
  void uidExclusionWildcardPortsMeanAllPorts() {
    assertThat(Exclusions.uidExclusion("tcp:*:0"))
        .containsExactly(new PortExclusion("tcp", "1:65535", "0"));
    assertThat(Exclusions.uidExclusion("udp::7"))
        .containsExactly(new PortExclusion("udp", "1:65535", "7"));
  }

  @Test
  void uidExclusionWithOnlyUidCoversAllPortsAndProtocols() {
    assertThat(Exclusions.uidExclusion("123"))
        .containsExactly(
            new PortExclusion("tcp", "1:65535", "123"), new PortExclusion("udp", "1:65535", "123"));
  }

  @Test
  void uidExclusionAcceptsProtocolList() {
    assertThat(Exclusions.uidExclusion("tcp,udp:80:1"))
        .extracting(PortExclusion::protocol)
        .containsExactly("tcp", "udp");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "tcp:80:*          | the UID must be a number or a range, not '*'",
        "80:1,2            | the UID must be one value or a range, not a list",
        "icmp:80:1         | unsupported protocol 'icmp' (expected: tcp, udp or *)",
        "tcp:70000:1       | '70000' is out of range for a port",
        "tcp:0:1           | '0' is out of range for a port",
        "tcp:90-80:1       | range '90-80' is reversed",
        "tcp:http:1        | 'http' is not a port or a range",
        "tcp:80:abc        | 'abc' is not a UID or a range",
        "a:b:c:d           | is not a valid exclusion",
        "tcp:80:1-2-3      | '1-2-3' is not a UID or a range",
      })
  void uidExclusionErrorsSayWhatIsWrong(String entry, String message) {
    assertThatThrownBy(() -> Exclusions.uidExclusion(entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("(expected:");
  }

  @Test
  void ipsAcceptBothFamiliesAndCidrs() {
    assertThat(Exclusions.ips("10.0.0.1,172.16.0.0/16,fe80::1,fe80::/10"))
        .containsExactly("10.0.0.1", "172.16.0.0/16", "fe80::1", "fe80::/10");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "10.0.0.256     | is not a valid IP address",
        "10.0.0         | is not a valid IP address",
        "example.com    | is not a valid IP address",
        "10.0.0.0/33    | has an invalid prefix length (expected: 0-32)",
        "fe80::/129     | has an invalid prefix length (expected: 0-128)",
        "fe80:::1       | is not a valid IP address",
        "10.0.0.0/x     | has an invalid prefix length",
      })
  void badIpsAreRejected(String ip, String message) {
    assertThatThrownBy(() -> Exclusions.ips(ip))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void portsSkipEmptyItemsAndRejectOutOfRange() {
    assertThat(Exclusions.ports("22, 80,,443")).containsExactly(22, 80, 443);
    assertThatThrownBy(() -> Exclusions.ports("22,0"))
        .hasMessage("'0' is not a valid port (expected: 1-65535)");
    assertThatThrownBy(() -> Exclusions.ports("ssh"))
        .hasMessage("'ssh' is not a valid port (expected: 1-65535)");
  }

  @Test
  void virtualNetworks() {
    assertThat(Exclusions.virtualNetwork("br+:172.18.0.0/16"))
        .isEqualTo(new TransparentProxyConfig.VirtualNetwork("br+", "172.18.0.0/16"));
    assertThat(Exclusions.virtualNetwork("iface:fd00::/64").cidr()).isEqualTo("fd00::/64");
    assertThatThrownBy(() -> Exclusions.virtualNetwork("docker0"))
        .hasMessageContaining("expected: iface:CIDR");
    assertThatThrownBy(() -> Exclusions.virtualNetwork("docker0:172.17.0.1"))
        .hasMessageContaining("is not a CIDR");
  }
}
