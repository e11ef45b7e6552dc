package io.meshlite.cp.xds.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DnsConfigGeneratorTest {
  private static final String INPUT = "xds/transparent-proxy/ipv4/input.yaml";

  @Test
  void bodyIsKumasJsonWithRecordsSortedByName() {
    String body =
        DnsConfigGenerator.body(
            Map.of("web.mesh", List.of("240.0.0.2"), "backend.mesh", List.of("240.0.0.1", "::ffff:f000:1")));

    assertThat(body)
        .isEqualTo(
            "{\"records\":[{\"name\":\"backend.mesh\",\"ips\":[\"240.0.0.1\",\"::ffff:f000:1\"]},"
                + "{\"name\":\"web.mesh\",\"ips\":[\"240.0.0.2\"]}],\"ttl\":30}");
    assertThat(DnsConfigGenerator.body(Map.of())).isEqualTo("{\"records\":[],\"ttl\":30}");
  }

  @Test
  void etagIsTheHexSha256OfTheBody() {
    assertThat(DnsConfigGenerator.etag("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void socketPathIsCutLikeKumas() {
    assertThat(DnsConfigGenerator.socketPath("/tmp/kuma-dp-1")).isEqualTo("/tmp/kuma-dp-1/kuma-mesh-metric-config.sock");
    assertThat(DnsConfigGenerator.socketPath("/tmp/kuma-dp-1/")).isEqualTo("/tmp/kuma-dp-1/kuma-mesh-metric-config.sock");
    String longDir = "/var/lib/" + "x".repeat(100);
    String path = DnsConfigGenerator.socketPath(longDir);
    assertThat(path).hasSize(98 + ".sock".length()).startsWith(longDir.substring(0, 98)).endsWith(".sock");
  }

  @Test
  void noTableWithoutAWorkDirOrWithBoundOutbounds() {
    assertThat(listener(ProxyMetadata.NONE)).isEmpty();
    assertThat(listener(new ProxyMetadata("/tmp/w", Set.of(ProxyMetadata.FEATURE_BIND_OUTBOUNDS), false))).isEmpty();
    assertThat(listener(new ProxyMetadata("/tmp/w", Set.of(), false))).isNotEmpty();
  }

  @Test
  void noTableWithoutTransparentProxying() {
    ResourceSet rs =
        TransparentProxyGoldenTest.generate(INPUT, "backend-1", new ProxyMetadata("/tmp/w", Set.of(), false));

    assertThat(rs.listeners()).extracting(Listener::getName).doesNotContain(DnsConfigGenerator.LISTENER);
  }

  @Test
  void metadataIsReadFromTheNode() {
    Struct md =
        Struct.newBuilder()
            .putFields("workdir", Value.newBuilder().setStringValue("/tmp/kuma-dp-7").build())
            .putFields("ipv6Enabled", Value.newBuilder().setBoolValue(true).build())
            .putFields(
                "features",
                Value.newBuilder()
                    .setListValue(
                        ListValue.newBuilder()
                            .addValues(Value.newBuilder().setStringValue("feature-bind-outbounds"))
                            .addValues(Value.newBuilder().setNumberValue(1)))
                    .build())
            .build();

    ProxyMetadata m = ProxyMetadata.fromNode(Node.newBuilder().setId("default.x").setMetadata(md).build());

    assertThat(m).isEqualTo(new ProxyMetadata("/tmp/kuma-dp-7", Set.of("feature-bind-outbounds"), true));
    assertThat(ProxyMetadata.fromNode(Node.getDefaultInstance())).isEqualTo(ProxyMetadata.NONE);
  }

  private static List<Listener> listener(ProxyMetadata md) {
    return TransparentProxyGoldenTest.generate(INPUT, "client-1", md).listeners().stream()
        .filter(l -> l.getName().equals(DnsConfigGenerator.LISTENER))
        .toList();
  }
}
