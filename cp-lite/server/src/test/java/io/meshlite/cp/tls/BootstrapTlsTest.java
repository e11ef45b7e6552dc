package io.meshlite.cp.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.ProtoJson;
import io.meshlite.cp.xds.testing.Golden;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The TLS parts of the bootstrap (kuma-dp-spec §2.6), as golden files. */
class BootstrapTlsTest {
  private static final String CA = "-----BEGIN CERTIFICATE-----\nTUVTSExJVEUgVEVTVCBDQQ==\n-----END CERTIFICATE-----\n";

  /** The parts of a plain bootstrap that TLS changes: the ADS cluster and the ADS gRPC service. */
  private static Bootstrap plain(String host) {
    Cluster ads =
        Clusters.withProtocol(
            Clusters.staticCluster("ads_cluster", "", Duration.ofSeconds(1), host, 5678).toBuilder()
                .setType(Cluster.DiscoveryType.STRICT_DNS)
                .build(),
            Clusters.UpstreamProtocol.HTTP2);
    return Bootstrap.newBuilder()
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(ads))
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setAdsConfig(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setTransportApiVersion(ApiVersion.V3)
                        .setSetNodeOnFirstMessageOnly(true)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName("ads_cluster"))
                                .addInitialMetadata(HeaderValue.newBuilder().setKey("authorization").setValue("jwt")))))
        .build();
  }

  private static String json(Bootstrap b) throws Exception {
    JsonNode tree = Json.mapper().readTree(ProtoJson.print(b));
    return Golden.json((ObjectNode) tree);
  }

  @Test
  void theAdsClusterTalksTlsWithSniAndTheValidationSecret() throws Exception {
    Bootstrap b = BootstrapTls.withTls(plain("cp.example"), "cp.example", CA);

    Golden.assertMatches("tls/bootstrap-tls.golden.json", json(b));
    assertThat(b.getStaticResources().getClusters(0).getTransportSocket().getName())
        .isEqualTo("envoy.transport_sockets.tls");
    assertThat(b.getStaticResources().getSecrets(0).getName()).isEqualTo("cp_validation_ctx");
  }

  @Test
  void theReloadableFormReadsTheTokenFileForEveryStream() throws Exception {
    Bootstrap b = BootstrapTls.withReloadableToken(plain("127.0.0.1"), "127.0.0.1", 5678, CA, "/var/run/kuma-dp/web-1");

    Golden.assertMatches("tls/bootstrap-reloadable.golden.json", json(b));
    GrpcService ads = b.getDynamicResources().getAdsConfig().getGrpcServices(0);
    assertThat(ads.hasGoogleGrpc()).isTrue();
    assertThat(ads.getInitialMetadataList()).isEmpty();
    assertThat(b.getStaticResources().getClustersList()).isEmpty();
  }

  @Test
  void anIpv6HostIsBracketedInTheTarget() {
    Bootstrap b = BootstrapTls.withReloadableToken(plain("::1"), "[::1]", 5678, CA, "/t");

    assertThat(b.getDynamicResources().getAdsConfig().getGrpcServices(0).getGoogleGrpc().getTargetUri())
        .isEqualTo("[::1]:5678");
  }
}
