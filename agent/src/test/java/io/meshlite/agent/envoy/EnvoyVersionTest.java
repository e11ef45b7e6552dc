package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnvoyVersionTest {

  @Test
  void parsesEnvoysOutput() {
    EnvoyVersion v = EnvoyVersion.parse(
        "\n/usr/local/bin/envoy  version: 6eb0d2d97489ec1b4e1584a004f5de443d97a41b/1.39.3/Clean/RELEASE/BoringSSL\n\n");
    assertThat(v.version()).isEqualTo("1.39.3");
    assertThat(v.build()).isEqualTo("6eb0d2d97489ec1b4e1584a004f5de443d97a41b/1.39.3/Clean/RELEASE/BoringSSL");
  }

  @Test
  void requiresFiveParts() {
    assertThatThrownBy(() -> EnvoyVersion.parse("envoy version: abc/1.39.3/Clean/RELEASE"))
        .hasMessageContaining("expected: <revision>/<version>/<status>/<build type>/<ssl>");
    assertThatThrownBy(() -> EnvoyVersion.parse("hello world"))
        .hasMessageContaining("no \"version:\"");
  }

  @Test
  void sameMajorMinorIsCompatible() {
    assertThat(v("1.39.3").compatibleWith("1.39.3")).isTrue();
    assertThat(v("1.39.0").compatibleWith("1.39.3")).isTrue();
    assertThat(v("1.39.7-dev").compatibleWith("1.39.3")).isTrue();
    assertThat(v("1.38.2").compatibleWith("1.39.3")).isFalse();
    assertThat(v("1.4.0").compatibleWith("1.39.3")).isFalse();
    assertThat(v("2.39.3").compatibleWith("1.39.3")).isFalse();
    assertThat(v("dev").compatibleWith("1.39.3")).isFalse();
  }

  private static EnvoyVersion v(String version) {
    return EnvoyVersion.parse("envoy  version: abc/" + version + "/Clean/RELEASE/BoringSSL");
  }
}
