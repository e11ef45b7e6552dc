package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.ResourceCodec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BootstrapGeneratorTest {
  private static final DataplaneSpec DP =
      DataplaneSpec.parse(
          ResourceCodec.parse(
                  "type: Dataplane\nmesh: default\nname: a\nnetworking:\n  address: 10.0.0.1\n"
                      + "  inbound:\n  - port: 80\n    tags: {kuma.io/service: web}\n")
              .spec());

  private static BootstrapRequest request(String token) {
    return new BootstrapRequest(
        "default", "a", null, token, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null);
  }

  private static BootstrapRequest withFeatures(java.util.List<String> features) {
    return new BootstrapRequest(
        "default", "a", null, null, null, null, null, null, null, null, null, null, null, features, null, null, null,
        null, null, null);
  }

  @Test
  void adsIsStateOfTheWorldUnlessKumaDpAdvertisesDeltaGrpc() {
    BootstrapGenerator.XdsServer xds = new BootstrapGenerator.XdsServer("10.0.0.9", 5678, false);

    assertThat(generator.generate(request(null), DP, 9901, xds).getDynamicResources().getAdsConfig().getApiType())
        .isEqualTo(io.envoyproxy.envoy.config.core.v3.ApiConfigSource.ApiType.GRPC);
    assertThat(
            generator.generate(withFeatures(java.util.List.of("feature-reuse-port")), DP, 9901, xds)
                .getDynamicResources().getAdsConfig().getApiType())
        .isEqualTo(io.envoyproxy.envoy.config.core.v3.ApiConfigSource.ApiType.GRPC);
    var delta =
        generator.generate(withFeatures(java.util.List.of("feature-reuse-port", "feature-delta-grpc")), DP, 9901, xds)
            .getDynamicResources().getAdsConfig();
    assertThat(delta.getApiType()).isEqualTo(io.envoyproxy.envoy.config.core.v3.ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(delta.getSetNodeOnFirstMessageOnly()).isTrue();
  }

  private final BootstrapGenerator generator = new BootstrapGenerator("/dev/null", Duration.ofSeconds(1));

  @Test
  void aHostnameGivesAStrictDnsAdsCluster() {
    Bootstrap b = generator.generate(request(null), DP, 9901, new BootstrapGenerator.XdsServer("cp.example", 5678, true));
    Cluster ads = b.getStaticResources().getClusters(0);

    assertThat(ads.getName()).isEqualTo("ads_cluster");
    assertThat(ads.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(ads.getDnsLookupFamily()).isEqualTo(Cluster.DnsLookupFamily.V4_ONLY);
  }

  @Test
  void anIpGivesAStaticAdsCluster() {
    Bootstrap b = generator.generate(request(null), DP, 9901, new BootstrapGenerator.XdsServer("10.0.0.9", 5678, false));

    assertThat(b.getStaticResources().getClusters(0).getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
  }

  @Test
  void theTokenTravelsAsInitialMetadataOnlyWhenGiven() {
    BootstrapGenerator.XdsServer xds = new BootstrapGenerator.XdsServer("10.0.0.9", 5678, false);
    Bootstrap with = generator.generate(request(" jwt-value\n"), DP, 9901, xds);
    Bootstrap without = generator.generate(request(null), DP, 9901, xds);

    assertThat(with.getDynamicResources().getAdsConfig().getGrpcServices(0).getInitialMetadataList())
        .singleElement()
        .satisfies(h -> {
          assertThat(h.getKey()).isEqualTo("authorization");
          assertThat(h.getValue()).isEqualTo("jwt-value");
        });
    assertThat(without.getDynamicResources().getAdsConfig().getGrpcServices(0).getInitialMetadataList()).isEmpty();
  }
}
