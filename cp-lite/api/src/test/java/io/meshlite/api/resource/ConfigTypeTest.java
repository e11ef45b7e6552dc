package io.meshlite.api.resource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Kuma's internal {@code Config} type: stored and read back by name, never listed or served. */
class ConfigTypeTest {
  @Test
  void isKnownByNameOnly() {
    assertThat(ResourceTypes.byName("Config")).contains(ResourceTypes.CONFIG);
    assertThat(ResourceTypes.all()).doesNotContain(ResourceTypes.CONFIG);
    assertThat(ResourceTypes.byPlural("configs")).isEmpty();
    assertThat(ResourceTypes.byCliName("config")).isEmpty();
    assertThat(ResourceTypes.CONFIG.meshScoped()).isFalse();
    assertThat(ResourceTypes.CONFIG.readOnly()).isTrue();
  }

  @Test
  void parsesAsKumaWritesIt() {
    Resource r = ResourceCodec.parse("type: Config\nname: kuma-default-dns-vips\nconfig: '{}'\n");

    assertThat(r.type()).isEqualTo(ResourceTypes.CONFIG);
    assertThat(r.mesh()).isEmpty();
    assertThat(r.spec().get("config").asText()).isEqualTo("{}");
  }
}
