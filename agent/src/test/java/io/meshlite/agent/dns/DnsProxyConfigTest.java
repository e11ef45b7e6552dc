package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DnsProxyConfigTest {

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = DnsProxyConfigTest.class.getResourceAsStream("/dns/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void parsesKumasDnsBody() throws IOException {
    DnsProxyConfig c = DnsProxyConfig.parse(resource("kuma-dns-body.json"));

    DnsTable t = c.table();
    assertThat(t.ttlSeconds()).isEqualTo(30);
    assertThat(t.names())
        .containsExactly(
            "backend.kuma-demo.svc.8080.mesh",
            "backend_kuma-demo_svc_8080.mesh",
            "redis.mesh",
            "web.mesh");
    DnsTable.Entry backend = t.lookup("backend_kuma-demo_svc_8080.mesh").orElseThrow();
    assertThat(backend.ipv4()).extracting(InetAddress::getHostAddress).containsExactly("240.0.0.4");
    // the IPv4-mapped form Kuma adds for IPv6 clients stays an AAAA address
    assertThat(backend.ipv6()).singleElement().isInstanceOf(Inet6Address.class);
    assertThat(backend.ipv6().get(0).getAddress())
        .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xF0, 0, 0, 4);
    assertThat(t.lookup("web.mesh").orElseThrow().ipv4()).isEmpty();
    assertThat(c.extraLabels())
        .containsEntry("mesh", "default")
        .containsEntry("kuma_io_zone", "zone-1");
    assertThat(c.skipped()).isEmpty();
  }

  @Test
  void anEmptyObjectIsAnEmptyTableWithTtlZero() {
    DnsProxyConfig c = DnsProxyConfig.parse("{}");

    assertThat(c.table().size()).isZero();
    assertThat(c.table().ttlSeconds()).isZero();
  }

  @Test
  void skipsAddressesThatDoNotParseAndKeepsTheRestOfTheRecord() {
    DnsProxyConfig c =
        DnsProxyConfig.parse(
            "{\"records\":[{\"name\":\"a.mesh\",\"ips\":[\"240.0.0.1\",\"not-an-ip\",\"240.0.0.300\"]},"
                + "{\"name\":\"bad..name\",\"ips\":[\"240.0.0.2\"]}],\"ttl\":10}");

    assertThat(c.table().names()).containsExactly("a.mesh");
    assertThat(c.table().lookup("a.mesh").orElseThrow().ipv4()).hasSize(1);
    assertThat(c.skipped())
        .hasSize(3)
        .anySatisfy(s -> assertThat(s).startsWith("records[0].ips[1]: ip: 'not-an-ip'"))
        .anySatisfy(s -> assertThat(s).startsWith("records[0].ips[2]: ip: '240.0.0.300'"))
        .anySatisfy(s -> assertThat(s).startsWith("records[1].name: name: 'bad..name'"));
  }

  @Test
  void aRepeatedNameKeepsTheLastRecordAsKumaDoes() {
    DnsProxyConfig c =
        DnsProxyConfig.parse(
            "{\"records\":[{\"name\":\"a.mesh\",\"ips\":[\"240.0.0.1\"]},{\"name\":\"A.mesh\",\"ips\":[\"240.0.0.2\"]}]}");

    assertThat(c.table().lookup("a.mesh").orElseThrow().ipv4())
        .extracting(InetAddress::getHostAddress)
        .containsExactly("240.0.0.2");
  }

  @Test
  void reportsEveryStructuralProblemAtOnce() {
    assertThatThrownBy(
            () ->
                DnsProxyConfig.parse(
                    "{\"records\":[{\"ips\":[]},{\"name\":\"x.mesh\",\"ips\":\"240.0.0.1\"}],\"ttl\":-1,\"extraLabels\":[]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl: -1 (expected: 0..2147483647 seconds)")
        .hasMessageContaining("extraLabels: array (expected: an object of strings)")
        .hasMessageContaining("records[0].name: missing (expected: a string)")
        .hasMessageContaining("records[1].ips: '240.0.0.1' (expected: an array of strings)");
  }

  @Test
  void rejectsBodiesThatAreNotAJsonObject() {
    assertThatThrownBy(() -> DnsProxyConfig.parse("records: []"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dns config: not JSON");
    assertThatThrownBy(() -> DnsProxyConfig.parse("[1,2]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dns config: array (expected: an object)");
    assertThatThrownBy(() -> DnsProxyConfig.parse("{\"ttl\":1.5}"))
        .hasMessageContaining("ttl: 1.5");
  }
}
