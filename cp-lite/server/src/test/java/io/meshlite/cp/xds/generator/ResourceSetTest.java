package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.cp.xds.envoy.Clusters;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResourceSetTest {
  @Test
  void sameNameWithSameContentIsKeptOnce() {
    ResourceSet r =
        ResourceSet.builder()
            .add(Clusters.edsCluster("b", Duration.ofSeconds(5)))
            .add(Clusters.edsCluster("a", Duration.ofSeconds(5)))
            .add(Clusters.edsCluster("b", Duration.ofSeconds(5)))
            .build();
    assertThat(r.clusters()).extracting(c -> c.getName()).containsExactly("a", "b");
  }

  @Test
  void sameNameWithDifferentContentIsABug() {
    ResourceSet.Builder b = ResourceSet.builder().add(Clusters.edsCluster("b", Duration.ofSeconds(5)));
    assertThatThrownBy(() -> b.add(Clusters.edsCluster("b", Duration.ofSeconds(6))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("two different clusters named \"b\"");
  }
}
