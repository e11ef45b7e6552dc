package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshlite.cp.xds.envoy.Clusters;
import io.meshlite.cp.xds.envoy.ProtoJson;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real Envoy accepts the transparent proxying resources: the listeners and clusters of each
 * golden case, put into a static bootstrap, pass {@code envoy --mode validate} (which checks the
 * whole configuration without binding any port).
 */
class TransparentProxyEnvoyValidateIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ipv4, client-1", "dualstack, web-1"})
  void envoyAcceptsTheGeneratedConfiguration(String caseName, String proxyName) throws Exception {
    ResourceSet resources =
        TransparentProxyGoldenTest.generate(
            "xds/transparent-proxy/" + caseName + "/input.yaml",
            proxyName,
            new ProxyMetadata(dir.toString(), Set.of(), true));
    Cluster ads =
        Clusters.withProtocol(
            Clusters.staticCluster("ads_cluster", "", Duration.ofSeconds(1), "127.0.0.1", 1),
            Clusters.UpstreamProtocol.HTTP2);
    Bootstrap bootstrap =
        Bootstrap.newBuilder()
            .setNode(Node.newBuilder().setId("default." + proxyName).setCluster("validate"))
            .setStaticResources(
                Bootstrap.StaticResources.newBuilder()
                    .addAllListeners(resources.listeners())
                    .addAllClusters(resources.clusters())
                    .addClusters(ads))
            .setDynamicResources(
                Bootstrap.DynamicResources.newBuilder()
                    .setAdsConfig(
                        ApiConfigSource.newBuilder()
                            .setApiType(ApiConfigSource.ApiType.GRPC)
                            .setTransportApiVersion(ApiVersion.V3)
                            .addGrpcServices(
                                GrpcService.newBuilder()
                                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName("ads_cluster")))))
            .build();
    Path config = dir.resolve("bootstrap.json");
    Files.writeString(config, ProtoJson.print(bootstrap), StandardCharsets.UTF_8);
    Path log = dir.resolve("validate.log");

    Process p =
        new ProcessBuilder(
                List.of(
                    EnvoyProcess.binary().toString(),
                    "--mode", "validate",
                    "--config-path", config.toString(),
                    "--disable-hot-restart",
                    "--log-level", "error"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("envoy --mode validate finished").isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    assertThat(resources.listeners()).extracting(l -> l.getName()).contains("outbound:passthrough:ipv4");
  }
}
