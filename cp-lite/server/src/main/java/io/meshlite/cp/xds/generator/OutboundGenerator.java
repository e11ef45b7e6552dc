package io.meshlite.cp.xds.generator;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import io.meshlite.cp.xds.envoy.Addresses;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.Filters;
import io.meshlite.cp.xds.envoy.Listeners;
import java.time.Duration;

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
    boolean transparent = TransparentProxy.enabled(proxy);
    boolean mtls = mesh.security().mtls().isPresent();
    for (Outbound ob : TransparentProxy.outbounds(mesh, proxy)) {
      String service = ob.service();
      String cluster = KumaNames.serviceCluster(service);
      out.add(SharedResources.outboundListener(ob, transparent, () -> listener(ob, proxy)));
      out.add(
          SharedResources.edsCluster(
              mesh.name(),
              service,
              mtls,
              () -> MtlsOutboundConfigurer.configure(mesh, service, Clusters.edsCluster(cluster, CONNECT_TIMEOUT))));
      out.add(SharedResources.loadAssignment(cluster, mesh.endpoints(service)));
    }
  }

  private static Listener listener(Outbound ob, Dataplane proxy) {
    return TransparentProxy.outbound(
        Listeners.listener(
            KumaNames.outboundListener(ob.address(), ob.port()),
            Addresses.socket(ob.address(), ob.port()),
            TrafficDirection.OUTBOUND,
            ob.tags(),
            Filters.tcpProxy(ob.service(), KumaNames.serviceCluster(ob.service()))),
        proxy);
  }
}
