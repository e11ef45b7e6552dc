package io.meshlite.cp.xds.envoy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import java.time.Duration;

/** Envoy clusters. */
public final class Clusters {
  /** Key of the upstream HTTP protocol options in {@code typedExtensionProtocolOptions}. */
  public static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  /** The upstream protocol a cluster speaks. */
  public enum UpstreamProtocol {
    /** Raw TCP (no HTTP options). */
    TCP,
    /** HTTP/1.1. */
    HTTP1,
    /** HTTP/2 (also gRPC). */
    HTTP2
  }

  private Clusters() {}

  /** A STATIC cluster with a single host. */
  public static Cluster staticCluster(String name, String altStatName, Duration connectTimeout, String host, int port) {
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Protos.duration(connectTimeout))
            .setLoadAssignment(LoadAssignments.singleHost(name, Addresses.socket(host, port)));
    if (!altStatName.isEmpty()) {
      b.setAltStatName(altStatName);
    }
    return b.build();
  }

  /** An EDS cluster whose endpoints come over ADS, balanced round robin. */
  public static Cluster edsCluster(String name, Duration connectTimeout) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .setConnectTimeout(Protos.duration(connectTimeout))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .build();
  }

  /** Returns the cluster with explicit upstream HTTP options for the protocol (none for TCP). */
  public static Cluster withProtocol(Cluster c, UpstreamProtocol protocol) {
    ExplicitHttpConfig.Builder explicit = ExplicitHttpConfig.newBuilder();
    switch (protocol) {
      case TCP -> {
        return c;
      }
      case HTTP1 -> explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
      case HTTP2 -> explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
    }
    HttpProtocolOptions options = HttpProtocolOptions.newBuilder().setExplicitHttpConfig(explicit).build();
    return c.toBuilder().putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Protos.any(options)).build();
  }

  /** The config source "over the ADS stream, API v3". */
  public static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }
}
