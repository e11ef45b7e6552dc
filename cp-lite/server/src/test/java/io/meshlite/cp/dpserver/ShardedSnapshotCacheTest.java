package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardedSnapshotCacheTest {
  private static Snapshot snapshot(String cluster, String version) {
    return Snapshot.create(
        List.of(Cluster.newBuilder().setName(cluster).build()), version, List.of(), version, List.of(), version,
        List.of(), version, List.of(), version);
  }

  private static XdsRequest cds(String node, String version) {
    return XdsRequest.create(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(node))
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setVersionInfo(version)
            .build());
  }

  @Test
  void eachNodeSeesOnlyItsOwnSnapshotAndWatchesFireOnItsOwnPush() {
    ShardedSnapshotCache cache = new ShardedSnapshotCache(4);
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nodes.add("default.dp-" + i);
    }
    List<List<Response>> responses = new ArrayList<>();
    for (String n : nodes) {
      List<Response> got = new ArrayList<>();
      responses.add(got);
      cache.createWatch(true, cds(n, ""), Set.of(), got::add, false, false);
    }
    cache.setSnapshot(nodes.get(3), snapshot("c-3", "v1"));

    for (int i = 0; i < nodes.size(); i++) {
      assertThat(responses.get(i)).hasSize(i == 3 ? 1 : 0);
    }
    assertThat(responses.get(3).get(0).version()).isEqualTo("v1");
    assertThat(responses.get(3).get(0).resources()).extracting(r -> ((Cluster) r).getName()).containsExactly("c-3");

    for (int i = 0; i < nodes.size(); i++) {
      cache.setSnapshot(nodes.get(i), snapshot("c-" + i, "v1"));
    }
    assertThat(cache.groups()).containsExactlyInAnyOrderElementsOf(nodes);
    assertThat(cache.getSnapshot(nodes.get(7)).clusters().resources()).containsOnlyKeys("c-7");
    assertThat(cache.statusInfo(nodes.get(7))).isNotNull();
    // Answered watches are closed: the snapshot can be cleared. An open watch (the node is up to
    // date and waits) keeps it, in its own shard.
    assertThat(cache.clearSnapshot(nodes.get(7))).isTrue();
    assertThat(cache.getSnapshot(nodes.get(7))).isNull();
    cache.createWatch(true, cds(nodes.get(8), "v1"), Set.of("c-8"), r -> {}, false, false);
    assertThat(cache.clearSnapshot(nodes.get(8))).isFalse();
    assertThat(cache.getSnapshot(nodes.get(8))).isNotNull();
  }
}
