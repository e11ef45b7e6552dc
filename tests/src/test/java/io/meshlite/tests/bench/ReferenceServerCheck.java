package io.meshlite.tests.bench;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the harness's own ADS clients against java-control-plane's reference server (which,
 * unlike kuma-cp today, also serves delta xDS): a few proxies get one EDS cluster, one listener
 * with an RDS route configuration and the route configuration; then an endpoint is added and must
 * reach all of them. Used by {@code XdsLoadSmokeIT} so the delta client and the RDS path, which
 * kuma-cp cannot exercise yet, are tested too.
 */
public final class ReferenceServerCheck {
  private static final String CLUSTER = "backend";
  private static final String ROUTE = "backend-route";

  /**
   * @param proxies streams opened
   * @param configured streams that ACKed the full first configuration (CDS, EDS, LDS, RDS)
   * @param changed streams that ACKed the added endpoint
   * @param nacks NACKs the streams sent
   * @param failures failed streams, if any
   */
  public record Result(int proxies, int configured, int changed, long nacks, Map<String, String> failures) {}

  private ReferenceServerCheck() {}

  /**
   * @param delta incremental instead of State-of-the-World
   * @param proxies how many streams
   * @param nackFraction probability of NACKing a response
   * @param timeoutMillis how long each phase may take
   */
  public static Result run(boolean delta, int proxies, double nackFraction, long timeoutMillis)
      throws InterruptedException {
    SimpleCache<String> cache = new SimpleCache<>(Node::getId);
    V3DiscoveryServer xds = new V3DiscoveryServer(cache);
    Server server =
        Server.builder()
            .port(new InetSocketAddress("127.0.0.1", 0), SessionProtocol.HTTP)
            .requestTimeoutMillis(0)
            .maxRequestLength(0)
            .service(GrpcService.builder().addService(new NodeCarrying(xds.getAggregatedDiscoveryServiceImpl())).build())
            .build();
    server.start().join();
    Map<String, SimulatedProxy> streams = new LinkedHashMap<>();
    AdsChannels channels = new AdsChannels("127.0.0.1", server.activeLocalPort(), 1, 1, false);
    try {
      for (int i = 0; i < proxies; i++) {
        String name = "ref-" + i;
        cache.setSnapshot("ref." + name, snapshot("1", List.of("10.0.0.1")));
        streams.put(
            name,
            delta
                ? new DeltaProxy("ref", name, "backend", null, nackFraction, i)
                : new SotwProxy("ref", name, "backend", null, nackFraction, i));
      }
      Convergence first =
          Convergence.watch(
              "first", streams, v -> v.complete() && v.endpoints(CLUSTER).equals(Set.of("10.0.0.1:8080")));
      int i = 0;
      for (SimulatedProxy p : streams.values()) {
        p.start(channels.stub(i++));
      }
      first.await(timeoutMillis);
      Convergence change = Convergence.watch("change", streams, v -> v.endpoints(CLUSTER).contains("10.0.0.2:8080"));
      streams.keySet().forEach(n -> cache.setSnapshot("ref." + n, snapshot("2", List.of("10.0.0.1", "10.0.0.2"))));
      change.await(timeoutMillis);
      Map<String, String> failures = new LinkedHashMap<>(first.failures());
      failures.putAll(change.failures());
      return new Result(
          proxies,
          first.converged(),
          change.converged(),
          streams.values().stream().mapToLong(p -> p.nacks.get()).sum(),
          failures);
    } finally {
      // Half-close every stream, stop the server, then drop the connections: no "connection
      // closed under an open stream" noise in the log.
      streams.values().forEach(SimulatedProxy::close);
      server.stop().join();
      channels.close();
    }
  }

  private static Snapshot snapshot(String version, List<String> endpointIps) {
    ConfigSource ads =
        ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
    Cluster cluster =
        Cluster.newBuilder()
            .setName(CLUSTER)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads))
            .build();
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (String ip : endpointIps) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setAddress(address(ip, 8080))));
    }
    ClusterLoadAssignment cla =
        ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER).addEndpoints(locality).build();
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("backend")
            .setRds(Rds.newBuilder().setConfigSource(ads).setRouteConfigName(ROUTE))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("outbound:127.0.0.1:20000")
            .setAddress(address("127.0.0.1", 20000))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(com.google.protobuf.Any.pack(hcm))))
            .build();
    RouteConfiguration route = RouteConfiguration.newBuilder().setName(ROUTE).build();
    return Snapshot.create(List.of(cluster), List.of(cla), List.of(listener), List.of(route), List.of(), version);
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  /**
   * Envoy sends the node only on a stream's first request; the snapshot cache groups every request
   * by its node. This puts the first node on the later requests (SotW and delta).
   */
  private static final class NodeCarrying extends AggregatedDiscoveryServiceImplBase {
    private final AggregatedDiscoveryServiceImplBase delegate;

    NodeCarrying(AggregatedDiscoveryServiceImplBase delegate) {
      this.delegate = delegate;
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
      return carrying(
          delegate.streamAggregatedResources(out),
          DiscoveryRequest::hasNode,
          DiscoveryRequest::getNode,
          (r, n) -> r.toBuilder().setNode(n).build());
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
        StreamObserver<DeltaDiscoveryResponse> out) {
      return carrying(
          delegate.deltaAggregatedResources(out),
          DeltaDiscoveryRequest::hasNode,
          DeltaDiscoveryRequest::getNode,
          (r, n) -> r.toBuilder().setNode(n).build());
    }

    private static <R> StreamObserver<R> carrying(
        StreamObserver<R> in,
        java.util.function.Predicate<R> hasNode,
        java.util.function.Function<R, Node> node,
        java.util.function.BiFunction<R, Node, R> withNode) {
      return new StreamObserver<>() {
        private Node first;

        @Override
        public void onNext(R r) {
          if (hasNode.test(r)) {
            first = node.apply(r);
            in.onNext(r);
          } else {
            Node n = first;
            in.onNext(n == null ? r : withNode.apply(r, n));
          }
        }

        @Override
        public void onError(Throwable t) {
          in.onError(t);
        }

        @Override
        public void onCompleted() {
          in.onCompleted();
        }
      };
    }
  }
}
