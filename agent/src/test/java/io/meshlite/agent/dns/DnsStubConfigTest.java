package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsStubConfigTest {

  @Test
  void defaultsArePinned() {
    DnsStubConfig c = DnsStubConfig.defaults();

    assertThat(c.bindAddresses())
        .extracting(InetAddress::getHostAddress)
        .containsExactly("127.0.0.1");
    assertThat(c.port()).isEqualTo(15053);
    assertThat(c.resolvConf()).isEqualTo(Path.of("/etc/resolv.conf"));
    assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.upstreamAttemptTimeout()).isEqualTo(Duration.ofMillis(600));
    assertThat(c.cacheMaxEntries()).isEqualTo(10_000);
    assertThat(c.cacheMaxBytes()).isEqualTo(4L << 20);
    assertThat(c.cacheMaxTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.maxInFlight()).isEqualTo(1024);
    assertThat(c.maxTcpConnections()).isEqualTo(128);
    assertThat(c.maxTcpQueryBytes()).isEqualTo(4096);
    assertThat(c.tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void reportsEveryInvalidField() {
    assertThatThrownBy(
            () ->
                DnsStubConfig.builder()
                    .bindAddresses(List.of())
                    .port(70000)
                    .queryTimeout(Duration.ZERO)
                    .maxInFlight(0)
                    .maxTcpQueryBytes(100)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bindAddresses: []")
        .hasMessageContaining("port: 70000 (expected: 0..65535)")
        .hasMessageContaining("queryTimeout: PT0S (expected: a positive duration)")
        .hasMessageContaining("maxInFlight: 0")
        .hasMessageContaining("maxTcpQueryBytes: 100");
  }

  @Test
  void bindsLikeKuma() {
    assertThat(DnsStubConfig.kumaBindAddresses(false, false, false))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("0.0.0.0");
    assertThat(DnsStubConfig.kumaBindAddresses(true, false, false))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("127.0.0.1");
    assertThat(DnsStubConfig.kumaBindAddresses(true, true, false))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(DnsStubConfig.kumaBindAddresses(true, true, true))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("0.0.0.0", "0:0:0:0:0:0:0:0");
  }
}
