package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.generator.ProxyProfile;
import io.meshlite.cp.xds.generator.ResourceGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against a memory store and a real snapshot cache, driven through its callbacks. */
class XdsReconcilerTest {
  private static final String WEB = "default.web-1";

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private final AtomicBoolean breakGeneration = new AtomicBoolean();
  private XdsReconciler reconciler;

  @BeforeEach
  void start() {
    List<ResourceGenerator> generators = new ArrayList<>(ProxyProfile.dataplane().generators());
    generators.add(
        (mesh, proxy, out) -> {
          if (breakGeneration.get()) {
            throw new IllegalStateException("broken on purpose");
          }
        });
    reconciler =
        new XdsReconciler(
            store, cache, new ProxyProfile(generators), Clock.systemUTC(), Duration.ofMillis(1), Duration.ofHours(1));
    reconciler.start();
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(dataplane("web-1", "10.0.0.1", "web", 8080, "  outbound:\n  - port: 10001\n    tags: {kuma.io/service: backend}\n"));
    store.create(dataplane("backend-1", "10.0.0.2", "backend", 8080, ""));
  }

  @AfterEach
  void stop() {
    reconciler.stop();
  }

  private static Resource dataplane(String name, String address, String service, int port, String extra) {
    return ResourceCodec.parse(
        "type: Dataplane\nmesh: default\nname: " + name + "\nnetworking:\n  address: " + address
            + "\n  inbound:\n  - port: " + port + "\n    tags: {kuma.io/service: " + service + "}\n" + extra);
  }

  private void connect(long stream, String node) throws RequestException {
    reconciler
        .callbacks()
        .onV3StreamRequest(
            stream,
            DiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId(node))
                .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
                .build());
  }

  private Snapshot awaitSnapshot(String node) {
    await().atMost(Duration.ofSeconds(5)).until(() -> cache.getSnapshot(node) != null);
    return cache.getSnapshot(node);
  }

  private ClusterLoadAssignment backendEndpoints() {
    return cache.getSnapshot(WEB).endpoints().resources().get("backend");
  }

  @Test
  void aConnectingProxyGetsItsFirstSnapshot() throws Exception {
    connect(1, WEB);

    Snapshot s = awaitSnapshot(WEB);
    assertThat(s.listeners().resources()).containsOnlyKeys("inbound:10.0.0.1:8080", "outbound:127.0.0.1:10001");
    assertThat(s.clusters().resources()).containsOnlyKeys("localhost:8080", "backend");
    assertThat(backendEndpoints().getEndpoints(0).getLbEndpointsCount()).isEqualTo(1);
    assertThat(reconciler.connectedProxies()).containsExactly(WEB);
  }

  @Test
  void aDataplaneChangeUpdatesTheEndpointsOfProxiesInTheMesh() throws Exception {
    connect(1, WEB);
    Snapshot first = awaitSnapshot(WEB);

    store.create(dataplane("backend-2", "10.0.0.3", "backend", 8080, ""));

    await().atMost(Duration.ofSeconds(5)).until(() -> backendEndpoints().getEndpoints(0).getLbEndpointsCount() == 2);
    Snapshot second = cache.getSnapshot(WEB);
    assertThat(second.clusters().version()).isEqualTo(first.clusters().version());
    assertThat(second.listeners().version()).isEqualTo(first.listeners().version());
    assertThat(second.endpoints().version()).isNotEqualTo(first.endpoints().version());

    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend-1"));
    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend-2"));

    await().atMost(Duration.ofSeconds(5)).until(() -> backendEndpoints().getEndpointsCount() == 0);
  }

  @Test
  void unchangedContentIsNotPushedAgain() throws Exception {
    connect(1, WEB);
    Snapshot first = awaitSnapshot(WEB);
    long pushes = reconciler.stats().pushes();

    // A second stream of the same proxy regenerates it; the content is the same, so nothing is pushed.
    connect(2, WEB);
    await().atMost(Duration.ofSeconds(5)).until(() -> reconciler.stats().unchanged() >= 1);
    assertThat(reconciler.stats().pushes()).isEqualTo(pushes);
    assertThat(cache.getSnapshot(WEB)).isSameAs(first);
  }

  @Test
  void aChangeThatCannotAffectAProxyDoesNotRegenerateIt() throws Exception {
    connect(1, WEB);
    Snapshot first = awaitSnapshot(WEB);
    XdsStats before = reconciler.stats();

    // Changes the mesh but nothing web-1 depends on (it calls backend, not other).
    store.create(dataplane("other-1", "10.0.0.9", "other", 8080, ""));

    await().atMost(Duration.ofSeconds(5)).until(() -> reconciler.stats().meshRefreshes() > before.meshRefreshes());
    XdsStats after = reconciler.stats();
    assertThat(after.skipped()).isEqualTo(before.skipped() + 1);
    assertThat(after.generations()).isEqualTo(before.generations());
    assertThat(cache.getSnapshot(WEB)).isSameAs(first);
  }

  @Test
  void aFailingGenerationKeepsTheLastGoodSnapshot() throws Exception {
    connect(1, WEB);
    Snapshot good = awaitSnapshot(WEB);

    breakGeneration.set(true);
    store.create(dataplane("backend-2", "10.0.0.3", "backend", 8080, ""));

    await().atMost(Duration.ofSeconds(5)).until(() -> reconciler.stats().failures() >= 1);
    assertThat(cache.getSnapshot(WEB)).isSameAs(good);

    breakGeneration.set(false);
    store.create(dataplane("backend-3", "10.0.0.4", "backend", 8080, ""));

    await().atMost(Duration.ofSeconds(5)).until(() -> backendEndpoints().getEndpoints(0).getLbEndpointsCount() == 3);
  }

  @Test
  void aDeletedDataplaneKeepsItsProxysLastSnapshot() throws Exception {
    connect(1, WEB);
    Snapshot good = awaitSnapshot(WEB);
    long generations = reconciler.stats().generations();

    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "web-1"));

    await().atMost(Duration.ofSeconds(5)).until(() -> reconciler.stats().generations() > generations);
    assertThat(cache.getSnapshot(WEB)).isSameAs(good);
    assertThat(reconciler.stats().failures()).isZero();
  }

  @Test
  void aDeltaStreamConnectsAProxyLikeASotwStreamAndTheSameRulesApply() throws Exception {
    reconciler.callbacks().onV3StreamDeltaRequest(
        1,
        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(WEB))
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .build());

    Snapshot s = awaitSnapshot(WEB);
    assertThat(s.listeners().resources()).containsKey("inbound:10.0.0.1:8080");
    assertThat(reconciler.connectedProxies()).containsExactly(WEB);
    assertThatThrownBy(() -> reconciler.callbacks().onV3StreamDeltaRequest(
            1,
            io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId("default.other"))
                .build()))
        .isInstanceOf(RequestException.class)
        .hasMessageContaining("node id changed");
    assertThatThrownBy(() -> reconciler.callbacks().onV3StreamDeltaRequest(
            2,
            io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId("no-dot"))
                .build()))
        .isInstanceOf(RequestException.class);

    reconciler.callbacks().onStreamClose(1, Resources.V3.CLUSTER_TYPE_URL);
    assertThat(reconciler.connectedProxies()).isEmpty();
  }

  @Test
  void aProxyWhoseLastStreamClosesIsForgotten() throws Exception {
    connect(1, WEB);
    connect(2, WEB);
    awaitSnapshot(WEB);

    reconciler.callbacks().onStreamClose(1, Resources.V3.CLUSTER_TYPE_URL);
    assertThat(reconciler.connectedProxies()).containsExactly(WEB);

    reconciler.callbacks().onStreamCloseWithError(2, Resources.V3.CLUSTER_TYPE_URL, new RuntimeException("gone"));

    assertThat(reconciler.connectedProxies()).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> cache.getSnapshot(WEB) == null);
  }

  @Test
  void aNodeIdThatIsNotMeshDotNameIsRejected() {
    assertThatThrownBy(() -> connect(1, "no-dot"))
        .isInstanceOf(RequestException.class)
        .hasMessageContaining("<mesh>.<dataplane name>");
    assertThat(reconciler.connectedProxies()).isEmpty();
  }

  @Test
  void theNodeCannotChangeWithinAStream() throws Exception {
    connect(1, WEB);
    assertThatThrownBy(() -> connect(1, "default.backend-1"))
        .isInstanceOf(RequestException.class)
        .hasMessageContaining("node id changed");
  }
}
