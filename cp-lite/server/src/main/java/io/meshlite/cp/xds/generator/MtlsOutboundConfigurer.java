package io.meshlite.cp.xds.generator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * Outbound half of mesh mTLS: with mTLS on, a service's cluster presents the proxy's certificate,
 * offers ALPN {@code kuma}, sends SNI {@code <service>{mesh=<mesh>}} and accepts only a server
 * whose certificate carries {@code spiffe://<mesh>/<service>}.
 */
final class MtlsOutboundConfigurer {
  private MtlsOutboundConfigurer() {}

  /** Returns the cluster of {@code service}, secured if the mesh has mTLS on. */
  static Cluster configure(MeshContext mesh, String service, Cluster cluster) {
    if (mesh.security().mtls().isEmpty()) {
      return cluster;
    }
    return cluster.toBuilder().setTransportSocket(TlsContexts.upstream(mesh.name(), service)).build();
  }
}
