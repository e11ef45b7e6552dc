package io.meshlite.cp.xds.generator;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.cp.xds.envoy.Addresses;
import io.meshlite.cp.xds.envoy.Filters;
import io.meshlite.cp.xds.envoy.Protos;
import java.time.Duration;

/**
 * The passthrough listeners and clusters of a transparently proxied Dataplane, as Kuma 2.14
 * (kuma-cp-spec §5.3): iptables sends outbound TCP to {@code outbound:passthrough:ipv4} on {@code
 * redirectPortOutbound} (15001) and inbound TCP to {@code inbound:passthrough:ipv4} on {@code
 * redirectPortInbound} (15006). Both use the original destination: a connection whose original
 * address:port has a listener (an inbound, or an outbound at a service VIP, both with {@code
 * bindToPort: false}) is handed over to it; any other goes to an ORIGINAL_DST cluster of the same
 * name, i.e. straight on to where it was going. The inbound passthrough connects from 127.0.0.6 so
 * iptables lets it reach the application without redirecting it again. Unless the Dataplane's
 * {@code ipFamilyMode} is IPv4, the same set exists for IPv6 on {@code [::]} (source {@code ::6}).
 */
final class TransparentProxyGenerator implements ResourceGenerator {
  /** Kuma's default timeout of the passthrough clusters. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** One address family's names and addresses. */
  private record Family(String suffix, String any, String inboundSource) {}

  private static final Family IPV4 = new Family("ipv4", "0.0.0.0", "127.0.0.6");
  private static final Family IPV6 = new Family("ipv6", "::", "::6");

  @Override
  public void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out) {
    if (TransparentProxy.settings(proxy).isEmpty()) {
      return;
    }
    DataplaneSpec.TransparentProxying tp = TransparentProxy.settings(proxy).get();
    generate(IPV4, tp, out);
    if (TransparentProxy.dualStack(proxy)) {
      generate(IPV6, tp, out);
    }
  }

  private static void generate(Family f, DataplaneSpec.TransparentProxying tp, ResourceSet.Builder out) {
    String outbound = outboundName(f.suffix());
    String inbound = inboundName(f.suffix());
    out.add(passthroughCluster(outbound).build());
    out.add(
        passthroughCluster(inbound)
            .setUpstreamBindConfig(BindConfig.newBuilder().setSourceAddress(Addresses.socket(f.inboundSource(), 0).getSocketAddress()))
            .build());
    out.add(passthroughListener(outbound, f.any(), tp.redirectPortOutbound(), TrafficDirection.OUTBOUND).build());
    out.add(
        passthroughListener(inbound, f.any(), tp.redirectPortInbound(), TrafficDirection.INBOUND)
            .setEnableReusePort(BoolValue.of(false))
            .build());
  }

  /** {@code outbound:passthrough:ipv4} or {@code :ipv6}. */
  static String outboundName(String family) {
    return "outbound:passthrough:" + family;
  }

  /** {@code inbound:passthrough:ipv4} or {@code :ipv6}. */
  static String inboundName(String family) {
    return "inbound:passthrough:" + family;
  }

  /** {@code outbound:passthrough:ipv4} → {@code outbound_passthrough_ipv4}. */
  static String statName(String name) {
    return name.replace(':', '_');
  }

  private static Cluster.Builder passthroughCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setAltStatName(statName(name))
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.duration(CONNECT_TIMEOUT));
  }

  private static Listener.Builder passthroughListener(String name, String any, int port, TrafficDirection direction) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Addresses.socket(any, port))
        .setTrafficDirection(direction)
        .setUseOriginalDst(BoolValue.of(true))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filters.tcpProxy(statName(name), name)));
  }
}
