package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

class DnsTableTest {

  @Test
  void normalisesNames() {
    assertThat(DnsTable.normalizeName("Backend.MESH.")).isEqualTo("backend.mesh");
    assertThat(DnsTable.normalizeName("backend_kuma-demo_svc_8080.mesh"))
        .isEqualTo("backend_kuma-demo_svc_8080.mesh");
  }

  @Test
  void rejectsNamesDnsCannotCarry() {
    assertThatThrownBy(() -> DnsTable.normalizeName("")).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> DnsTable.normalizeName(".")).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> DnsTable.normalizeName("a..mesh"))
        .hasMessageContaining("labels of 1 to 63 bytes");
    assertThatThrownBy(() -> DnsTable.normalizeName("x".repeat(64) + ".mesh"))
        .hasMessageContaining("63");
    assertThatThrownBy(() -> DnsTable.normalizeName(("x".repeat(60) + ".").repeat(5) + "mesh"))
        .hasMessageContaining("255");
    assertThatThrownBy(() -> DnsTable.normalizeName("a b.mesh")).hasMessageContaining("whitespace");
  }

  @Test
  void sortsAddressesByFamilyTheWayKumaDoes() {
    assertThat(DnsTable.parseIp("240.0.0.1")).isInstanceOf(Inet4Address.class);
    assertThat(DnsTable.parseIp("fd00::1")).isInstanceOf(Inet6Address.class);
    assertThat(DnsTable.parseIp("::ffff:f000:1")).isInstanceOf(Inet6Address.class);
    // text with a dot is an A record in Kuma, even in IPv4-mapped notation
    assertThat(DnsTable.parseIp("::ffff:240.0.0.1")).isInstanceOf(Inet4Address.class);
    assertThatThrownBy(() -> DnsTable.parseIp("localhost"))
        .hasMessageContaining("IPv4 or IPv6 literal");
    assertThatThrownBy(() -> DnsTable.parseIp("1.2.3"))
        .hasMessageContaining("IPv4 or IPv6 literal");
  }

  @Test
  void rejectsTtlsOutOfRange() {
    assertThatThrownBy(() -> DnsTable.builder(-1)).hasMessageContaining("ttl: -1");
    assertThatThrownBy(() -> DnsTable.builder(1L << 31)).hasMessageContaining("ttl: 2147483648");
  }

  @Test
  void wireFormOfANormalisedName() {
    assertThat(DnsTable.toWire("web.mesh"))
        .containsExactly(3, 'w', 'e', 'b', 4, 'm', 'e', 's', 'h', 0);
  }

  @Test
  void theCompiledIndexFindsEveryNameAndNothingElse() {
    DnsTable.Builder b = DnsTable.builder(7);
    for (int i = 0; i < 500; i++) {
      b.add("svc-" + i + ".mesh", "240.0." + (i / 256) + "." + (i % 256));
    }
    MeshNameIndex index = MeshNameIndex.compile(b.build());
    for (int i = 0; i < 500; i++) {
      byte[] wire = DnsTable.toWire("svc-" + i + ".mesh");
      MeshNameIndex.Answers a = index.find(wire, wire.length, hash(wire));
      assertThat(a).isNotNull();
      assertThat(a.aCount).isEqualTo(1);
      assertThat(a.aaaaCount).isZero();
      // name pointer to the question, type A, class IN, ttl 7, rdlength 4, address
      assertThat(a.a).hasSize(16);
      assertThat(a.a[0] & 0xFF).isEqualTo(0xC0);
      assertThat(Wire.u32(a.a, 6)).isEqualTo(7);
      assertThat(a.a[15] & 0xFF).isEqualTo(i % 256);
    }
    byte[] missing = DnsTable.toWire("svc-500.mesh");
    assertThat(index.find(missing, missing.length, hash(missing))).isNull();
  }

  private static int hash(byte[] wire) {
    int h = Wire.HASH_SEED;
    for (byte x : wire) {
      h = Wire.hashStep(h, x);
    }
    return h;
  }
}
