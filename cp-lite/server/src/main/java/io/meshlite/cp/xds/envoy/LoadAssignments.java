package io.meshlite.cp.xds.envoy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;

/** Envoy cluster load assignments (EDS resources and static cluster hosts). */
public final class LoadAssignments {
  /** Endpoint metadata key that subset load balancing matches on. */
  public static final String LB_METADATA = "envoy.lb";

  private LoadAssignments() {}

  /** One load-balanced endpoint with weight 1 and, if any, {@code envoy.lb} metadata. */
  public static LbEndpoint lbEndpoint(String host, int port, Map<String, String> lbTags) {
    LbEndpoint.Builder b =
        LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(Addresses.socket(host, port)))
            .setLoadBalancingWeight(UInt32Value.of(1));
    if (!lbTags.isEmpty()) {
      b.setMetadata(Protos.metadata(LB_METADATA, lbTags));
    }
    return b.build();
  }

  /** A load assignment with every endpoint in one locality group (an empty list is valid). */
  public static ClusterLoadAssignment of(String cluster, List<LbEndpoint> endpoints) {
    ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
    if (!endpoints.isEmpty()) {
      b.addEndpoints(LocalityLbEndpoints.newBuilder().addAllLbEndpoints(endpoints));
    }
    return b.build();
  }

  /** The load assignment of a static cluster with a single host. */
  public static ClusterLoadAssignment singleHost(String cluster, Address address) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address))))
        .build();
  }
}
