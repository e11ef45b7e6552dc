package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProxyIdTest {
  @Test
  void splitsAtTheFirstDot() {
    ProxyId id = ProxyId.parse("default.web-1.ns");
    assertThat(id.mesh()).isEqualTo("default");
    assertThat(id.name()).isEqualTo("web-1.ns");
    assertThat(id.nodeId()).isEqualTo("default.web-1.ns");
  }

  @Test
  void rejectsIdsWithoutMeshOrName() {
    for (String bad : new String[] {"", "nodot", ".name", "mesh."}) {
      assertThatThrownBy(() -> ProxyId.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("<mesh>.<dataplane name>");
    }
  }
}
