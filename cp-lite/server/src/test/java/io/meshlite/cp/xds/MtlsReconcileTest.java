package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.generator.ProxyProfile;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mTLS through the reconciler: secrets follow the Mesh, certificates are renewed on schedule. */
class MtlsReconcileTest {
  private static final String WEB = "default.web-1";
  private static final String IDENTITY = "identity_cert:secret:default";
  private static final String CA = "mesh_ca:secret:default";

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private XdsReconciler reconciler;

  @BeforeEach
  void start() {
    reconciler =
        new XdsReconciler(
            store, cache, ProxyProfile.dataplane(), Clock.systemUTC(), Duration.ofMillis(1), Duration.ofHours(1));
    reconciler.start();
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: web-1
            networking:
              address: 10.0.0.1
              inbound:
              - port: 8080
                tags: {kuma.io/service: web}
              outbound:
              - port: 10001
                tags: {kuma.io/service: backend}
            """));
  }

  @AfterEach
  void stop() {
    reconciler.stop();
    store.close();
  }

  private void connect() throws RequestException {
    reconciler
        .callbacks()
        .onV3StreamRequest(
            1,
            DiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId(WEB))
                .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
                .build());
  }

  private void setMesh(String mtls) {
    Resource current = store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", "default")).orElseThrow();
    Resource next = ResourceCodec.parse("type: Mesh\nname: default\n" + mtls);
    store.update(next.withMeta(current.meta()));
  }

  private Snapshot snapshot() {
    return cache.getSnapshot(WEB);
  }

  @Test
  void turningMtlsOnAndOffChangesListenersClustersAndSecrets() throws Exception {
    connect();
    await().atMost(Duration.ofSeconds(5)).until(() -> snapshot() != null);
    assertThat(snapshot().secrets().resources()).isEmpty();

    setMesh("mtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\n");

    await().atMost(Duration.ofSeconds(20)).until(() -> snapshot().secrets().resources().size() == 2);
    Snapshot on = snapshot();
    assertThat(on.secrets().resources()).containsOnlyKeys(IDENTITY, CA);
    assertThat(on.listeners().resources().get("inbound:10.0.0.1:8080").getFilterChains(0).hasTransportSocket()).isTrue();
    assertThat(on.clusters().resources().get("backend").getTransportSocket().getName())
        .isEqualTo("envoy.transport_sockets.tls");
    assertThat(store.get(ResourceKey.of(ResourceTypes.SECRET, "default", "default.ca-builtin-cert-ca-1"))).isPresent();

    setMesh("mtls:\n  backends:\n  - name: ca-1\n    type: builtin\n");

    await().atMost(Duration.ofSeconds(5)).until(() -> snapshot().secrets().resources().isEmpty());
    assertThat(snapshot().listeners().resources().get("inbound:10.0.0.1:8080").getFilterChains(0).hasTransportSocket())
        .isFalse();
    assertThat(snapshot().clusters().resources().get("backend").hasTransportSocket()).isFalse();
  }

  @Test
  void certificatesAreRenewedAtFourFifthsOfTheirLifetimeWithoutAnyStoreChange() throws Exception {
    setMesh(
        "mtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\n"
            + "    dpCert: {rotation: {expiration: 2s}}\n");
    connect();
    await().atMost(Duration.ofSeconds(20)).until(() -> snapshot() != null && snapshot().secrets().resources().size() == 2);
    Secret first = snapshot().secrets().resources().get(IDENTITY);
    String caVersion = snapshot().secrets().resources().get(CA).toString();

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !snapshot().secrets().resources().get(IDENTITY).equals(first));
    assertThat(snapshot().secrets().resources().get(CA).toString()).isEqualTo(caVersion);
  }
}
