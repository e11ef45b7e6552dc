package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvConfTest {

  @Test
  void readsEveryNameserverInOrderWithOptionalPorts() throws IOException, URISyntaxException {
    Path file = Path.of(ResolvConfTest.class.getResource("/dns/resolv.conf").toURI());

    List<InetSocketAddress> servers = ResolvConf.read(file);

    assertThat(servers)
        .extracting(a -> a.getAddress().getHostAddress() + "|" + a.getPort())
        .containsExactly(
            "10.96.0.10|53",
            "fd00:0:0:0:0:0:0:10|53",
            "127.0.0.1|5353",
            "0:0:0:0:0:0:0:1|5354",
            "8.8.8.8|53");
  }

  @Test
  void ignoresWhatIsNotAnIpLiteral() {
    assertThat(ResolvConf.parseServer("dns.example.com")).isNull();
    assertThat(ResolvConf.parseServer("10.0.0.1:0")).isNull();
    assertThat(ResolvConf.parseServer("10.0.0.1:70000")).isNull();
    assertThat(ResolvConf.parseServer("[::1")).isNull();
    assertThat(ResolvConf.parseServer("[::1]x")).isNull();
    assertThat(ResolvConf.parse("")).isEmpty();
    assertThat(ResolvConf.parse("nameserver\nsearch x\n")).isEmpty();
  }

  @Test
  void keepsTheZoneOfALinkLocalServer() {
    InetSocketAddress a = ResolvConf.parseServer("fe80::1%lo");
    if (a != null) { // only when an interface named lo exists
      assertThat(a.getAddress().isLinkLocalAddress()).isTrue();
      assertThat(a.getPort()).isEqualTo(53);
    }
  }
}
