package io.meshlite.cp.xds.generator;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import io.meshlite.cp.xds.envoy.Addresses;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.Filters;
import io.meshlite.cp.xds.envoy.Listeners;
import io.meshlite.cp.xds.envoy.LoadAssignments;
import java.time.Duration;
import java.util.List;

/**
 * One listener per outbound, bound to its address (127.0.0.1 by default) and port, TCP-proxying to
 * the EDS cluster of the destination service; plus that cluster and its load assignment: every
 * Ready inbound in the mesh tagged with the service. Every EDS cluster gets a load assignment, even
 * an empty one, because an ADS snapshot must be consistent.
 *
 * <p>With transparent proxying the outbounds also include one per service VIP of the mesh ({@link
 * TransparentProxy#outbounds}).
 *
 * <p>Not yet: HTTP outbounds (HCM + {@code outbound:<service>} routes) and tag subsets of
 * outbounds; both are TCP to the whole service for now.
 */
final class OutboundGenerator implements ResourceGenerator {
  /** Kuma's default MeshTimeout connect timeout for outbound traffic. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  @Override
  public void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out) {
    for (Outbound ob : TransparentProxy.outbounds(mesh, proxy)) {
      String service = ob.service();
      String cluster = KumaNames.serviceCluster(service);
      out.add(
          TransparentProxy.outbound(
              Listeners.listener(
                  KumaNames.outboundListener(ob.address(), ob.port()),
                  Addresses.socket(ob.address(), ob.port()),
                  TrafficDirection.OUTBOUND,
                  ob.tags(),
                  Filters.tcpProxy(service, cluster)),
              proxy));
      out.add(MtlsOutboundConfigurer.configure(mesh, service, Clusters.edsCluster(cluster, CONNECT_TIMEOUT)));
      List<LbEndpoint> endpoints =
          mesh.endpoints(service).stream()
              .map(e -> LoadAssignments.lbEndpoint(e.address(), e.port(), e.lbTags()))
              .toList();
      out.add(LoadAssignments.of(cluster, endpoints));
    }
  }
}
