package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.generator.MeshContext;
import io.meshlite.cp.xds.generator.ProxyProfile;
import io.meshlite.cp.xds.generator.ResourceSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regenerating only affected proxies must end where regenerating all of them ends: after a burst
 * of random store writes (fast enough to race the 1 ms debounce, the mesh refreshes and the
 * proxies' regenerations), every connected proxy's snapshot must equal what a full generation from
 * the final store state gives.
 */
class XdsReconcilerRandomTest {
  private static final int PROXIES = 6;
  private static final int OTHERS = 8;
  private static final int SERVICES = 4;

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private XdsReconciler reconciler;

  @AfterEach
  void stop() {
    if (reconciler != null) {
      reconciler.stop();
    }
  }

  @Test
  void afterRandomChangesEveryProxyHasWhatAFullRegenerationGives() throws Exception {
    reconciler =
        new XdsReconciler(
            store, cache, ProxyProfile.dataplane(), Clock.systemUTC(), Duration.ofMillis(1), Duration.ofHours(1));
    reconciler.start();
    Random random = new Random(61206);
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    for (int i = 0; i < PROXIES; i++) {
      store.create(dataplane(random, "proxy-" + i, i));
    }
    for (int i = 0; i < PROXIES; i++) {
      reconciler
          .callbacks()
          .onV3StreamRequest(
              i,
              DiscoveryRequest.newBuilder()
                  .setNode(Node.newBuilder().setId("default.proxy-" + i))
                  .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
                  .build());
    }

    // First configurations (and the JVM's first proto class loading) before the burst, so the burst
    // races the refreshes instead of finishing before the first one.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> java.util.stream.IntStream.range(0, PROXIES).allMatch(i -> cache.getSnapshot("default.proxy-" + i) != null));
    for (int step = 0; step < 400; step++) {
      if (random.nextInt(3) == 0) {
        // A connected proxy's own Dataplane changes (never deleted: it would keep its last snapshot).
        int i = random.nextInt(PROXIES);
        put(dataplane(random, "proxy-" + i, i));
      } else {
        // Another Dataplane (only endpoints for the proxies) comes, changes or goes.
        int i = random.nextInt(OTHERS);
        ResourceKey key = ResourceKey.of(ResourceTypes.DATAPLANE, "default", "other-" + i);
        if (store.get(key).isPresent() && random.nextInt(3) == 0) {
          store.delete(key);
        } else {
          put(dataplane(random, "other-" + i, 100 + i));
        }
      }
      if (random.nextInt(4) == 0) {
        LockSupport.parkNanos(random.nextInt(3_000_000));
      }
    }

    MeshContext last =
        MeshContext.build(
            store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", "default")).orElseThrow(),
            store.list(ResourceTypes.DATAPLANE, "default"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (int i = 0; i < PROXIES; i++) {
                String name = "proxy-" + i;
                ResourceSet expected = ProxyProfile.dataplane().generate(last, last.dataplane(name).orElseThrow());
                Snapshot s = cache.getSnapshot("default." + name);
                assertThat(s).as(name).isNotNull();
                assertThat(byName(s.clusters().resources()))
                    .as(name + " clusters")
                    .isEqualTo(byName(expected.clusters(), c -> c.getName()));
                assertThat(byName(s.endpoints().resources()))
                    .as(name + " endpoints")
                    .isEqualTo(byName(expected.endpoints(), c -> c.getClusterName()));
                assertThat(byName(s.listeners().resources()))
                    .as(name + " listeners")
                    .isEqualTo(byName(expected.listeners(), l -> l.getName()));
              }
            });
    // Most refreshes left most proxies alone, or this test would not be testing the narrowing.
    assertThat(reconciler.stats().skipped()).isGreaterThan(reconciler.stats().meshRefreshes());
  }

  private void put(Resource r) {
    Optional<Resource> current = store.get(r.key());
    if (current.isPresent()) {
      store.update(r.withMeta(current.get().meta()));
    } else {
      store.create(r);
    }
  }

  private static Resource dataplane(Random random, String name, int address) {
    StringBuilder y = new StringBuilder();
    y.append("type: Dataplane\nmesh: default\nname: ").append(name).append("\nnetworking:\n");
    y.append("  address: 10.0.").append(address / 250).append('.').append(address % 250 + 1).append('\n');
    y.append("  inbound:\n  - port: ").append(8080 + random.nextInt(2)).append('\n');
    y.append("    tags: {kuma.io/service: svc-").append(random.nextInt(SERVICES)).append(", version: v")
        .append(random.nextInt(2)).append("}\n");
    if (random.nextInt(4) == 0) {
      y.append("    state: NotReady\n");
    }
    int outbounds = random.nextInt(3);
    if (outbounds > 0) {
      y.append("  outbound:\n");
      for (int k = 0; k < outbounds; k++) {
        y.append("  - port: ").append(10001 + k).append("\n    tags: {kuma.io/service: svc-")
            .append(random.nextInt(SERVICES)).append("}\n");
      }
    }
    return ResourceCodec.parse(y.toString());
  }

  private static Map<String, Message> byName(Map<String, ? extends Message> resources) {
    return new TreeMap<>(resources);
  }

  private static <T extends Message> Map<String, Message> byName(List<T> resources, Function<T, String> name) {
    Map<String, Message> out = new TreeMap<>();
    for (T r : new ArrayList<>(resources)) {
      out.put(name.apply(r), r);
    }
    return out;
  }
}
