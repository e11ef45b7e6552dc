package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4CidrTest {
  @Test
  void kumasRangeSpansClassE() {
    Ipv4Cidr c = Ipv4Cidr.parse("240.0.0.0/4");
    assertThat(Ipv4Cidr.format(c.first())).isEqualTo("240.0.0.0");
    assertThat(Ipv4Cidr.format(c.last())).isEqualTo("255.255.255.255");
    assertThat(c.contains("240.0.0.1")).isTrue();
    assertThat(c.contains("241.2.3.4")).isTrue();
    assertThat(c.contains("239.255.255.255")).isFalse();
    assertThat(c.contains("not-an-ip")).isFalse();
    assertThat(c).hasToString("240.0.0.0/4");
  }

  @Test
  void hostBitsAreCleared() {
    assertThat(Ipv4Cidr.parse("10.1.2.3/16")).hasToString("10.1.0.0/16");
  }

  @Test
  void badInputSaysWhatIsExpected() {
    assertThatThrownBy(() -> Ipv4Cidr.parse("240.0.0.0")).hasMessageContaining("a.b.c.d/n");
    assertThatThrownBy(() -> Ipv4Cidr.parse("240.0.0.0/33")).hasMessageContaining("0-32");
    assertThatThrownBy(() -> Ipv4Cidr.parse("240.0.0/4")).hasMessageContaining("not an IPv4 address");
    assertThatThrownBy(() -> Ipv4Cidr.parse("256.0.0.0/4")).hasMessageContaining("not an IPv4 address");
  }

  @Test
  void mappedIpv6IsKumasForm() {
    assertThat(Ipv4Cidr.toMappedIpv6("240.0.0.1")).isEqualTo("::ffff:f000:1");
    assertThat(Ipv4Cidr.toMappedIpv6("241.0.0.5")).isEqualTo("::ffff:f100:5");
    assertThat(Ipv4Cidr.toMappedIpv6("240.1.2.3")).isEqualTo("::ffff:f001:203");
  }
}
