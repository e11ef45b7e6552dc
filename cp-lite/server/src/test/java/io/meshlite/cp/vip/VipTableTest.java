package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VipTableTest {
  @Test
  void readsKumasCurrentFormatAndKeepsOtherEntries() {
    VipTable t =
        VipTable.parse(
            "{\"0:backend\":{\"address\":\"240.0.0.1\",\"outbounds\":[{\"Port\":0,\"TagSet\":{\"kuma.io/service\":\"backend\"},\"Origin\":\"service\"}]},"
                + "\"1:host.com\":{\"address\":\"240.0.1.4\",\"outbounds\":[{\"TagSet\":{\"kuma.io/service\":\"external-host\"}}]}}");

    assertThat(t.addresses()).containsExactly(Map.entry("backend", "240.0.0.1"));
    assertThat(t.others()).containsOnlyKeys("1:host.com");
  }

  @Test
  void readsKumasFirstFlatFormat() {
    VipTable t = VipTable.parse("{\"backend\":\"240.0.0.1\",\"redis\":\"240.0.0.2\"}");

    assertThat(t.addresses()).containsExactly(Map.entry("backend", "240.0.0.1"), Map.entry("redis", "240.0.0.2"));
  }

  @Test
  void writesKumasFormatWithSortedKeysAndReadsItBack() {
    VipTable t =
        new VipTable(
            new java.util.TreeMap<>(
                Map.of(
                    "web", VipTable.Vip.inUse("240.0.0.2"),
                    "backend", new VipTable.Vip("240.0.0.1", Optional.of(Instant.parse("2025-01-02T03:04:05Z"))))),
            new java.util.TreeMap<>());

    String json = t.toJson();

    assertThat(json)
        .isEqualTo(
            "{\"0:backend\":{\"address\":\"240.0.0.1\",\"outbounds\":[{\"Port\":0,\"TagSet\":{\"kuma.io/service\":\"backend\"},"
                + "\"Origin\":\"service\"}],\"unusedSince\":\"2025-01-02T03:04:05Z\"},"
                + "\"0:web\":{\"address\":\"240.0.0.2\",\"outbounds\":[{\"Port\":0,\"TagSet\":{\"kuma.io/service\":\"web\"},"
                + "\"Origin\":\"service\"}]}}");
    assertThat(VipTable.parse(json)).isEqualTo(t);
  }

  @Test
  void readsTheStoredConfigResource() {
    Resource config =
        ResourceCodec.parse("type: Config\nname: kuma-default-dns-vips\nconfig: '{\"a\":\"240.0.0.9\"}'\n");

    assertThat(VipTable.fromConfig(config).addresses()).containsExactly(Map.entry("a", "240.0.0.9"));
    assertThat(VipTable.addressesOrEmpty(Optional.of(config))).containsEntry("a", "240.0.0.9");
    assertThat(VipTable.addressesOrEmpty(Optional.empty())).isEmpty();
  }

  @Test
  void garbageIsReportedAndReadsAsEmptyForGenerators() {
    assertThatThrownBy(() -> VipTable.parse("[1,2]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> VipTable.parse("{nope")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> VipTable.parse("{\"0:a\":{\"address\":\"240.0.0.1\",\"unusedSince\":\"yesterday\"}}"))
        .hasMessageContaining("unusedSince");
    Resource broken = ResourceCodec.parse("type: Config\nname: kuma-default-dns-vips\nconfig: 'nope'\n");
    assertThat(VipTable.addressesOrEmpty(Optional.of(broken))).isEmpty();
  }

  @Test
  void namesMapToMeshes() {
    assertThat(VipNames.configName("default")).isEqualTo("kuma-default-dns-vips");
    assertThat(VipNames.meshOf("kuma-my-mesh-dns-vips")).contains("my-mesh");
    assertThat(VipNames.meshOf("kuma--dns-vips")).isEmpty();
    assertThat(VipNames.meshOf("control-plane-id")).isEmpty();
    assertThat(VipNames.meshOf(VipNames.configKey("m1"))).contains("m1");
  }
}
