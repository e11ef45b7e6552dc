package io.meshlite.cp.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.vip.VipAllocator;
import io.meshlite.cp.vip.VipSettings;
import io.meshlite.cp.xds.generator.ProxyProfile;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP allocator and the reconciler together: a new service gets a VIP, and the VIP table's
 * store event (a global Config) reaches the transparently proxied proxies of its mesh.
 */
class XdsReconcilerVipTest {
  private static final String CLIENT = "default.client-1";

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private final VipAllocator vips = new VipAllocator(store, Clock.systemUTC(), VipSettings.defaults());
  private XdsReconciler reconciler;

  @BeforeEach
  void start() {
    reconciler =
        new XdsReconciler(
            store, cache, ProxyProfile.dataplane(), Clock.systemUTC(), Duration.ofMillis(1), Duration.ofHours(1));
    reconciler.start();
    vips.start();
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: client-1
            networking:
              address: 10.0.0.1
              inbound: [{port: 8080, tags: {kuma.io/service: client}}]
              transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: IPv4}
            """));
  }

  @AfterEach
  void stop() {
    vips.stop();
    reconciler.stop();
  }

  @Test
  void aNewServiceBecomesAVipOutboundAndADnsRecord() throws Exception {
    Struct md = Struct.newBuilder().putFields("workdir", Value.newBuilder().setStringValue("/tmp/dp").build()).build();
    reconciler
        .callbacks()
        .onV3StreamRequest(
            1,
            DiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId(CLIENT).setMetadata(md))
                .setTypeUrl(Resources.V3.LISTENER_TYPE_URL)
                .build());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> cache.getSnapshot(CLIENT) != null
            && cache.getSnapshot(CLIENT).listeners().resources().containsKey("outbound:240.0.0.1:80"));

    store.create(
        ResourceCodec.parse(
            "type: Dataplane\nmesh: default\nname: backend-1\nnetworking:\n  address: 10.0.0.2\n"
                + "  inbound: [{port: 8080, tags: {kuma.io/service: backend}}]\n"));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> cache.getSnapshot(CLIENT).listeners().resources().containsKey("outbound:240.0.0.2:80"));
    var listeners = cache.getSnapshot(CLIENT).listeners().resources();
    assertThat(listeners).containsKeys("outbound:passthrough:ipv4", "inbound:passthrough:ipv4", "_kuma:dynamicconfig");
    assertThat(listeners.get("_kuma:dynamicconfig").toString()).contains("backend.mesh").contains("240.0.0.2");
  }
}
