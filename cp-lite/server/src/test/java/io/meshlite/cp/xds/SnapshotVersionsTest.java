package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.LoadAssignments;
import io.meshlite.cp.xds.generator.ResourceSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotVersionsTest {
  private static ResourceSet set(Duration connectTimeout, int endpointPort) {
    return ResourceSet.builder()
        .add(Clusters.edsCluster("backend", connectTimeout))
        .add(LoadAssignments.of("backend", List.of(LoadAssignments.lbEndpoint("10.0.0.1", endpointPort, Map.of()))))
        .build();
  }

  @Test
  void equalContentGivesEqualVersions() {
    assertThat(SnapshotVersions.of(set(Duration.ofSeconds(5), 80)))
        .isEqualTo(SnapshotVersions.of(set(Duration.ofSeconds(5), 80)));
  }

  @Test
  void anEndpointChangeChangesOnlyTheEndpointVersion() {
    SnapshotVersions a = SnapshotVersions.of(set(Duration.ofSeconds(5), 80));
    SnapshotVersions b = SnapshotVersions.of(set(Duration.ofSeconds(5), 81));
    assertThat(b.clusters()).isEqualTo(a.clusters());
    assertThat(b.listeners()).isEqualTo(a.listeners());
    assertThat(b.endpoints()).isNotEqualTo(a.endpoints());
  }

  @Test
  void aClusterChangeAlsoChangesTheEndpointVersion() {
    SnapshotVersions a = SnapshotVersions.of(set(Duration.ofSeconds(5), 80));
    SnapshotVersions b = SnapshotVersions.of(set(Duration.ofSeconds(6), 80));
    assertThat(b.clusters()).isNotEqualTo(a.clusters());
    assertThat(b.endpoints()).isNotEqualTo(a.endpoints());
  }

  @Test
  void snapshotCarriesPerTypeVersions() {
    ResourceSet r = set(Duration.ofSeconds(5), 80);
    SnapshotVersions v = SnapshotVersions.of(r);
    Snapshot s = v.snapshot(r);
    assertThat(s.clusters().version()).isEqualTo(v.clusters());
    assertThat(s.endpoints().version()).isEqualTo(v.endpoints());
    assertThat(s.clusters().resources()).containsOnlyKeys("backend");
    assertThat(s.endpoints().resources()).containsOnlyKeys("backend");
  }
}
