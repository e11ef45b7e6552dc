package io.meshlite.cp.xds.generator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.cp.xds.envoy.Addresses;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.Clusters.UpstreamProtocol;
import io.meshlite.cp.xds.envoy.Filters;
import io.meshlite.cp.xds.envoy.Listeners;
import io.meshlite.cp.xds.envoy.Routes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One listener per inbound, bound to the inbound's address and port, forwarding to a STATIC
 * cluster that reaches the application at {@code serviceAddress:servicePort}. HTTP-family
 * protocols get an HTTP connection manager with the {@code inbound:<service>} route, anything
 * else a TCP proxy. Ignored inbounds get nothing.
 */
final class InboundGenerator implements ResourceGenerator {
  /** Kuma's default MeshTimeout gives inbound connections twice the outbound 5 s. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out) {
    SharedResources.Inbound r =
        SharedResources.inbound(mesh.name(), proxy.name(), proxy.spec(), mesh.security(), () -> build(mesh, proxy));
    r.clusters().forEach(out::add);
    r.listeners().forEach(out::add);
  }

  /**
   * The inbound resources; a function of the mesh name and security and the proxy's name and spec
   * only (the key {@link SharedResources#inbound} caches them by).
   */
  private static SharedResources.Inbound build(MeshContext mesh, Dataplane proxy) {
    List<Cluster> clusters = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    for (Inbound in : proxy.spec().networking().inbound()) {
      if ("Ignored".equals(in.state())) {
        continue;
      }
      String cluster = KumaNames.localCluster(in.servicePort());
      String statName = KumaNames.localStatName(in.servicePort());
      UpstreamProtocol protocol = upstreamProtocol(in.protocol());
      Cluster local =
          Clusters.staticCluster(cluster, statName, CONNECT_TIMEOUT, in.serviceAddress(), in.servicePort());
      clusters.add(Clusters.withProtocol(local, protocol));
      Filter filter =
          protocol == UpstreamProtocol.TCP
              ? Filters.tcpProxy(statName, cluster)
              : Filters.httpConnectionManager(
                  statName, Routes.allToCluster(KumaNames.inboundRoute(in.service()), in.service(), cluster));
      listeners.add(
          TransparentProxy.inbound(
              MtlsInboundConfigurer.configure(
                  mesh,
                  proxy,
                  in,
                  Listeners.listener(
                      KumaNames.inboundListener(in.address(), in.port()),
                      Addresses.socket(in.address(), in.port()),
                      TrafficDirection.INBOUND,
                      in.tags(),
                      filter)),
              proxy));
    }
    return new SharedResources.Inbound(clusters, listeners);
  }

  static UpstreamProtocol upstreamProtocol(String kumaProtocol) {
    return switch (kumaProtocol) {
      case "http" -> UpstreamProtocol.HTTP1;
      case "http2", "grpc" -> UpstreamProtocol.HTTP2;
      default -> UpstreamProtocol.TCP;
    };
  }
}
