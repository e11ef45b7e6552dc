package io.meshlite.cp.dpserver;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.bootstrap.v3.LayeredRuntime;
import io.envoyproxy.envoy.config.bootstrap.v3.RuntimeLayer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.regex_engines.v3.GoogleRE2;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.xds.envoy.Addresses;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.Clusters.UpstreamProtocol;
import io.meshlite.cp.xds.envoy.Protos;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Builds the Envoy bootstrap for a Dataplane as Kuma 2.14 does (kuma-dp-spec §2.6), minus what
 * needs TLS (the {@code cp_validation_ctx} secret and the ADS transport socket), HDS and the access
 * log sink, which come with later issues. Pure: same inputs, same bootstrap.
 */
final class BootstrapGenerator {
  static final String ADS_CLUSTER = "ads_cluster";
  static final String ADMIN_ADDRESS = "127.0.0.1";

  /** Where Envoy finds the ADS server. */
  record XdsServer(String host, int port, boolean ipv4Only) {}

  private final String adminAccessLogPath;
  private final Duration xdsConnectTimeout;

  BootstrapGenerator(String adminAccessLogPath, Duration xdsConnectTimeout) {
    this.adminAccessLogPath = adminAccessLogPath;
    this.xdsConnectTimeout = xdsConnectTimeout;
  }

  /**
   * @param request what kuma-dp sent
   * @param dataplane the Dataplane's spec (stored, or sent inline by kuma-dp)
   * @param adminPort the Envoy admin port already resolved (Dataplane, request, default)
   * @param xds where Envoy finds the ADS server
   */
  Bootstrap generate(BootstrapRequest request, DataplaneSpec dataplane, int adminPort, XdsServer xds) {
    return Bootstrap.newBuilder()
        .setNode(node(request, dataplane, adminPort))
        .setAdmin(admin(adminPort))
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setLdsConfig(adsWithoutFetchTimeout())
                .setCdsConfig(adsWithoutFetchTimeout())
                .setAdsConfig(
                    ApiConfigSource.newBuilder()
                        .setApiType(apiType(request))
                        .setTransportApiVersion(ApiVersion.V3)
                        .setSetNodeOnFirstMessageOnly(true)
                        .addGrpcServices(adsGrpcService(request.dataplaneToken()))))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(adsCluster(xds)))
        .setLayeredRuntime(
            LayeredRuntime.newBuilder()
                .addLayers(
                    RuntimeLayer.newBuilder()
                        .setName("kuma")
                        .setStaticLayer(
                            Struct.newBuilder()
                                .putFields("re2.max_program_size.error_level", number(4294967295L))
                                .putFields("re2.max_program_size.warn_level", number(1000)))))
        .setStatsConfig(
            StatsConfig.newBuilder()
                .addStatsTags(tag("name", "^grpc\\.((.+)\\.)"))
                .addStatsTags(tag("status", "^grpc.*streams_closed(_([0-9]+))"))
                .addStatsTags(tag("worker", "(worker_([0-9]+)\\.)"))
                .addStatsTags(tag("listener", "((.+?)\\.)rbac\\.")))
        .setDefaultRegexEngine(
            TypedExtensionConfig.newBuilder()
                .setName("envoy.regex_engines.google_re2")
                .setTypedConfig(Protos.any(GoogleRE2.getDefaultInstance())))
        .build();
  }
  /** The kuma-dp feature that asks for incremental xDS, as Kuma 2.x names it. */
  static final String FEATURE_DELTA_GRPC = "feature-delta-grpc";

  /**
   * Incremental ({@code DELTA_GRPC}) ADS when kuma-dp advertises {@value #FEATURE_DELTA_GRPC}
   * (it does when {@code KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT=DELTA_GRPC}),
   * state-of-the-world ({@code GRPC}) otherwise, as Kuma 2.14 does.
   */
  static ApiConfigSource.ApiType apiType(BootstrapRequest request) {
    return request.features() != null && request.features().contains(FEATURE_DELTA_GRPC)
        ? ApiConfigSource.ApiType.DELTA_GRPC
        : ApiConfigSource.ApiType.GRPC;
  }


  private static Node node(BootstrapRequest r, DataplaneSpec dp, int adminPort) {
    Struct.Builder md = Struct.newBuilder();
    md.putFields("dataplane.proxyType", Protos.string(orElse(r.proxyType(), "dataplane")));
    md.putFields("dataplane.admin.port", Protos.string(Integer.toString(adminPort)));
    md.putFields("dataplane.admin.address", Protos.string(ADMIN_ADDRESS));
    if (r.readinessPort() != null && r.readinessPort() > 0) {
      md.putFields("dataplane.readinessReporter.port", Protos.string(r.readinessPort().toString()));
    }
    if (r.dnsPort() != null && r.dnsPort() > 0) {
      md.putFields("dataplane.dns.port", Protos.string(r.dnsPort().toString()));
    }
    if (Boolean.TRUE.equals(r.appProbeProxyDisabled())) {
      // Kuma's inverted legacy key: true means the probe proxy is enabled.
      md.putFields("dataplane.appProbeProxy.enabled", Protos.string("true"));
    }
    if (r.dataplaneResource() != null && !r.dataplaneResource().isBlank()) {
      md.putFields("dataplane.resource", Protos.string(r.dataplaneResource()));
    }
    md.putFields("version", Protos.value(Json.mapper().valueToTree(r.version() == null ? Map.of() : r.version())));
    md.putFields("features", Protos.value(Json.mapper().valueToTree(r.features() == null ? List.of() : r.features())));
    md.putFields("workdir", Protos.string(orElse(r.workdir(), "")));
    md.putFields(
        "metricsCertPath", Protos.string(r.metricsResources() == null ? "" : orElse(r.metricsResources().certPath(), "")));
    md.putFields(
        "metricsKeyPath", Protos.string(r.metricsResources() == null ? "" : orElse(r.metricsResources().keyPath(), "")));
    md.putFields("systemCaPath", Protos.string(orElse(r.systemCaPath(), "")));
    md.putFields("ipv6Enabled", Value.newBuilder().setBoolValue(Boolean.TRUE.equals(r.ipv6Enabled())).build());
    if (r.dynamicMetadata() != null && !r.dynamicMetadata().isEmpty()) {
      md.putFields("dynamicMetadata", Value.newBuilder().setStructValue(Protos.struct(r.dynamicMetadata())).build());
    }
    String cluster =
        dp.networking().inbound().isEmpty() ? "unknown" : dp.networking().inbound().get(0).service();
    return Node.newBuilder().setId(r.mesh() + "." + r.name()).setCluster(cluster).setMetadata(md).build();
  }

  private Admin admin(int adminPort) {
    FileAccessLog log = FileAccessLog.newBuilder().setPath(adminAccessLogPath).build();
    return Admin.newBuilder()
        .setAddress(Addresses.socket(ADMIN_ADDRESS, adminPort))
        .addAccessLog(AccessLog.newBuilder().setName("envoy.access_loggers.file").setTypedConfig(Protos.any(log)))
        .build();
  }

  /** LDS/CDS over ADS, with no initial fetch timeout: Envoy waits for its first config. */
  private static ConfigSource adsWithoutFetchTimeout() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setInitialFetchTimeout(Protos.seconds(0))
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  private static GrpcService adsGrpcService(String token) {
    GrpcService.Builder g =
        GrpcService.newBuilder().setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(ADS_CLUSTER));
    if (token != null && !token.isBlank()) {
      g.addInitialMetadata(HeaderValue.newBuilder().setKey("authorization").setValue(token.trim()));
    }
    return g.build();
  }

  private Cluster adsCluster(XdsServer xds) {
    boolean ip = InetAddresses.isInetAddress(xds.host());
    Cluster c =
        Clusters.staticCluster(ADS_CLUSTER, "", xdsConnectTimeout, xds.host(), xds.port()).toBuilder()
            .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setUpstreamConnectionOptions(
                UpstreamConnectionOptions.newBuilder()
                    .setTcpKeepalive(
                        TcpKeepalive.newBuilder()
                            .setKeepaliveProbes(UInt32Value.of(3))
                            .setKeepaliveTime(UInt32Value.of(10))
                            .setKeepaliveInterval(UInt32Value.of(10))))
            .build();
    if (!ip && xds.ipv4Only()) {
      c = c.toBuilder().setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY).build();
    }
    return Clusters.withProtocol(c, UpstreamProtocol.HTTP2);
  }

  private static TagSpecifier tag(String name, String regex) {
    return TagSpecifier.newBuilder().setTagName(name).setRegex(regex).build();
  }

  private static Value number(long n) {
    return Value.newBuilder().setNumberValue(n).build();
  }

  private static String orElse(String s, String fallback) {
    return s == null || s.isEmpty() ? fallback : s;
  }
}
