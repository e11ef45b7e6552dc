package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.testing.Ports;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental (delta) ADS against the control plane with its defaults (TLS, dataplane tokens
 * required): a real Envoy whose bootstrap asks for {@code DELTA_GRPC} (kuma-dp advertised {@code
 * feature-delta-grpc}) gets its listeners, clusters and endpoints and follows a change; its stream
 * is recorded in the DataplaneInsight; and a delta stream with a bad token or none is refused like
 * a SotW one.
 */
class DeltaXdsEnvoyIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  @TempDir Path dir;
  private SecureCp cp;
  private ClientFactory grpcFactory;
  private final List<EnvoyProcess> envoys = new ArrayList<>();
  private int backendInbound;

  @BeforeEach
  void start() throws Exception {
    cp = new SecureCp(dir, Map.of());
    backendInbound = Ports.free();
    cp.apply(backend(backendInbound));
    cp.apply(
        """
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            tags: {kuma.io/service: web}
          outbound:
          - port: %d
            tags: {kuma.io/service: backend}
        """
            .formatted(Ports.free(), Ports.free(), Ports.free()));
    X509Certificate ca = cp.cp.security().tls().orElseThrow().ca().get(0);
    grpcFactory = ClientFactory.builder().tlsCustomizer(b -> b.trustManager(ca)).build();
  }

  private static String backend(int... inbounds) {
    StringBuilder yaml =
        new StringBuilder("type: Dataplane\nmesh: default\nname: backend-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n");
    for (int port : inbounds) {
      yaml.append("  - port: ").append(port).append("\n    servicePort: ").append(Ports.free())
          .append("\n    tags: {kuma.io/service: backend}\n");
    }
    return yaml.toString();
  }

  @AfterEach
  void stop() {
    envoys.forEach(EnvoyProcess::close);
    if (grpcFactory != null) {
      grpcFactory.closeAsync();
    }
    cp.close();
  }

  @Test
  void envoyOnDeltaXdsGetsListenersClustersAndEndpointsAndFollowsAChange() throws Exception {
    String token = cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}");
    int admin = Ports.free();
    Path bootstrap =
        cp.bootstrapFile(
            "{\"mesh\":\"default\",\"name\":\"web-1\",\"adminPort\":" + admin + ",\"dataplaneToken\":\"" + token
                + "\",\"features\":[\"feature-delta-grpc\"]}",
            dir.resolve("bootstrap.json"));
    assertThat(Files.readString(bootstrap)).contains("DELTA_GRPC");
    EnvoyProcess e = EnvoyProcess.start(bootstrap, admin);
    envoys.add(e);

    await().atMost(START).until(e::ready);
    assertThat(e.stat("control_plane.connected_state")).isEqualTo(1);
    // the counters the refused case below holds at zero (so they are the right names)
    assertThat(e.stat("cluster_manager.cds.update_success")).isPositive();
    assertThat(e.stat("listener_manager.lds.update_success")).isPositive();
    assertThat(e.admin("/listeners").body()).contains("inbound:127.0.0.1:").contains("outbound:");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(e.healthyHosts("backend")).containsExactly("127.0.0.1:" + backendInbound));
    assertThat(cp.cp.dpServer().connectedProxies()).contains("default.web-1");

    // A second backend instance reaches Envoy as a further endpoint, over the same delta stream.
    int second = Ports.free();
    cp.apply(backend(backendInbound, second));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(e.healthyHosts("backend"))
            .containsExactlyInAnyOrder("127.0.0.1:" + backendInbound, "127.0.0.1:" + second));
    assertThat(e.stat("cluster_manager.cds.update_rejected") + e.stat("listener_manager.lds.update_rejected")).isZero();

    // The delta stream is a subscription of the DataplaneInsight, with Envoy's ACKs counted.
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode insight =
          cp.cp.store().get(io.meshlite.api.resource.ResourceKey.of(ResourceTypes.DATAPLANE_INSIGHT, "default", "web-1"))
              .orElseThrow().spec();
      JsonNode subs = insight.path("subscriptions");
      JsonNode last = subs.get(subs.size() - 1);
      assertThat(last.path("controlPlaneInstanceId").asText()).isNotEmpty();
      assertThat(last.path("disconnectTime").isMissingNode()).isTrue();
      assertThat(last.path("status").path("total").path("responsesAcknowledged").asLong()).isGreaterThanOrEqualTo(2);
    });

    // A proxy that goes away is no longer tracked.
    e.close();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cp.cp.dpServer().connectedProxies()).doesNotContain("default.web-1"));
  }

  @Test
  void aDeltaStreamWithAGoodTokenIsServedAndCarriesTheNodeOnlyOnItsFirstRequest() throws Exception {
    DeltaAds ads = new DeltaAds("default.web-1", cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}"));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(ads.listenerNames()).anyMatch(n -> n.startsWith("inbound:127.0.0.1:")));
    assertThat(ads.error.get()).isNull();
    assertThat(cp.cp.dpServer().connectedProxies()).contains("default.web-1");
    ads.close();
  }

  @Test
  void aDeltaStreamWithTheTokenOfAnotherDataplaneIsRefused() throws Exception {
    DeltaAds ads = new DeltaAds("default.web-1", cp.token("{\"mesh\":\"default\",\"name\":\"backend-1\"}"));
    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("backend-1");
    assertThat(ads.resources).isEmpty();
    assertThat(cp.cp.dpServer().connectedProxies()).doesNotContain("default.web-1");
  }

  @Test
  void aDeltaStreamWithoutATokenIsRefused() throws Exception {
    DeltaAds ads = new DeltaAds("default.web-1", null);
    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("no dataplane token");
    assertThat(ads.resources).isEmpty();
  }

  @Test
  void anEnvoyOnDeltaXdsWithABadTokenGetsNoConfiguration() throws Exception {
    String token = cp.token("{\"mesh\":\"default\",\"name\":\"backend-1\"}");
    int admin = Ports.free();
    // The bootstrap endpoint refuses the mismatch too, so write the delta bootstrap of a good
    // token and swap the token in, as an attacker holding another proxy's token would.
    String good = cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}");
    Path bootstrap =
        cp.bootstrapFile(
            "{\"mesh\":\"default\",\"name\":\"web-1\",\"adminPort\":" + admin + ",\"dataplaneToken\":\"" + good
                + "\",\"features\":[\"feature-delta-grpc\"]}",
            dir.resolve("bootstrap.json"));
    String text = Files.readString(bootstrap);
    assertThat(text).contains(good).contains("DELTA_GRPC");
    Files.writeString(bootstrap, text.replace(good, token));
    EnvoyProcess e = EnvoyProcess.start(bootstrap, admin);
    envoys.add(e);

    // Refused, Envoy opens a further stream after its backoff: the first one has ended.
    await().atMost(START).ignoreExceptions().until(() -> e.stat("cluster.ads_cluster.upstream_rq_total") >= 2);
    assertThat(e.admin("/listeners").body()).doesNotContain("inbound:");
    // not control_plane.connected_state: Envoy sets it to 1 as each retried stream opens, until the refusal ends it
    assertThat(e.stat("cluster_manager.cds.update_success")).isZero();
    assertThat(e.stat("listener_manager.lds.update_success")).isZero();
    assertThat(cp.cp.dpServer().connectedProxies()).doesNotContain("default.web-1");
  }

  /** One incremental ADS stream as Envoy opens it: the node only on the first request. */
  private final class DeltaAds implements StreamObserver<DeltaDiscoveryResponse> {
    final Map<String, Listener> resources = new ConcurrentHashMap<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private StreamObserver<DeltaDiscoveryRequest> requests;

    DeltaAds(String nodeId, String token) {
      AggregatedDiscoveryServiceStub stub =
          GrpcClients.builder("h2://127.0.0.1:" + cp.cp.dpServer().port() + "/")
              .factory(grpcFactory)
              .responseTimeout(Duration.ZERO)
              .build(AggregatedDiscoveryServiceStub.class);
      if (token != null) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), token);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      }
      // A gRPC request stream takes one message at a time: the ACKs (sent from the response
      // thread) and these subscriptions are sent under this object's lock.
      synchronized (this) {
        requests = stub.deltaAggregatedResources(this);
        requests.onNext(
            DeltaDiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId(nodeId)).setTypeUrl(CLUSTER).build());
        requests.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(LISTENER).build());
      }
    }

    List<String> listenerNames() {
      return new ArrayList<>(resources.keySet());
    }

    Status awaitRefusal() {
      await().atMost(WAIT).until(() -> error.get() != null);
      return Status.fromThrowable(error.get());
    }

    @Override
    public synchronized void onNext(DeltaDiscoveryResponse r) {
      if (r.getTypeUrl().equals(LISTENER)) {
        for (var res : r.getResourcesList()) {
          try {
            resources.put(res.getName(), res.getResource().unpack(Listener.class));
          } catch (Exception e) {
            error.compareAndSet(null, e);
          }
        }
      }
      // ACK, as Envoy does.
      requests.onNext(
          DeltaDiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).setResponseNonce(r.getNonce()).build());
    }

    @Override
    public void onError(Throwable t) {
      error.compareAndSet(null, t);
    }

    @Override
    public void onCompleted() {
      error.compareAndSet(null, new IllegalStateException("the server completed the stream"));
    }

    synchronized void close() {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // already closed by the server
      }
    }
  }
}
