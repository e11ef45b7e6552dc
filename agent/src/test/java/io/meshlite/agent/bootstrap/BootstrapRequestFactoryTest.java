package io.meshlite.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.envoy.EnvoyVersion;
import io.meshlite.api.Versions;
import io.meshlite.api.resource.Json;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapRequestFactoryTest {
  @TempDir Path tmp;

  private AgentConfig cfg(String inlineToken, Path tokenFile, Integer adminPort) {
    return cfg(inlineToken, tokenFile, adminPort, false);
  }

  private AgentConfig cfg(String inlineToken, Path tokenFile, Integer adminPort, boolean delta) {
    return new AgentConfig(
        new AgentConfig.Dataplane("dp-1", "default", "dataplane", null),
        new AgentConfig.ControlPlane(URI.create("http://127.0.0.1:5678"), "", false, Duration.ofSeconds(3), Duration.ofMinutes(5)),
        new AgentConfig.Token(inlineToken, tokenFile),
        new AgentConfig.Envoy("envoy", "info", "", 0, Duration.ofSeconds(30), adminPort,
            new AgentConfig.Restart(true, Duration.ofSeconds(1), Duration.ofSeconds(30)), false),
        new AgentConfig.Runtime(null, 9902, true, 15053, "", "", false, Map.of("HOST_IP", "10.1.2.3"), 0, delta),
        "info",
        AgentConfig.Metrics.defaults());
  }

  private static final EnvoyVersion ENVOY = EnvoyVersion.parse("version: abc/1.39.3/Clean/RELEASE/BoringSSL");

  @Test
  void carriesKumasFieldsAsJson() throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "  the-jwt\n");
    BootstrapRequestFactory f = new BootstrapRequestFactory(cfg(null, token, 9911), ENVOY, tmp, token, 1024, false);
    JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsBytes(f.next()));
    assertThat(json.path("mesh").asText()).isEqualTo("default");
    assertThat(json.path("name").asText()).isEqualTo("dp-1");
    assertThat(json.path("proxyType").asText()).isEqualTo("dataplane");
    assertThat(json.path("dataplaneToken").asText()).isEqualTo("the-jwt");
    assertThat(json.path("dataplaneTokenPath").asText()).isEqualTo(token.toString());
    assertThat(json.path("version").path("kumaDp").path("version").asText()).isEqualTo(Versions.VERSION);
    assertThat(json.path("version").path("envoy").path("version").asText()).isEqualTo("1.39.3");
    assertThat(json.path("version").path("envoy").path("build").asText()).isEqualTo("abc/1.39.3/Clean/RELEASE/BoringSSL");
    assertThat(json.path("version").path("envoy").path("kumaDpCompatible").asBoolean()).isTrue();
    assertThat(json.path("dynamicMetadata").path("HOST_IP").asText()).isEqualTo("10.1.2.3");
    assertThat(json.path("readinessPort").asInt()).isEqualTo(9902);
    assertThat(json.path("adminPort").asInt()).isEqualTo(9911);
    assertThat(json.path("workdir").asText()).isEqualTo(tmp.toString());
    assertThat(json.path("resources").path("maxHeapSizeBytes").asLong()).isEqualTo(1024);
    assertThat(json.path("operatingSystem").asText()).isEqualTo("linux");
    assertThat(json.path("features")).extracting(JsonNode::asText)
        .containsExactly("feature-strict-inbound-ports", "feature-reuse-port", "feature-embedded-dns");
    assertThat(json.path("ipv6Enabled").asBoolean()).isFalse();
    assertThat(json.path("dnsPort").asInt()).isEqualTo(15053);
    assertThat(json.has("dataplaneResource")).isFalse();
  }

  @Test
  void deltaXdsIsAdvertisedAsKumasFeature() throws Exception {
    BootstrapRequestFactory f = new BootstrapRequestFactory(cfg("t", null, null, true), ENVOY, tmp, null, 0, false);
    assertThat(f.next().features()).contains("feature-delta-grpc");
  }

  @Test
  void inlineTokenWinsAndTheFileIsReReadEachAttempt() throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "first");
    BootstrapRequestFactory fromFile = new BootstrapRequestFactory(cfg(null, token, null), ENVOY, tmp, token, 0, false);
    assertThat(fromFile.next().dataplaneToken()).isEqualTo("first");
    Files.writeString(token, "rotated");
    assertThat(fromFile.next().dataplaneToken()).isEqualTo("rotated");
    assertThat(fromFile.next().adminPort()).isNull();

    BootstrapRequestFactory inline = new BootstrapRequestFactory(cfg("inline", token, null), ENVOY, tmp, token, 0, false);
    assertThat(inline.next().dataplaneToken()).isEqualTo("inline");

    Files.delete(token);
    assertThatThrownBy(fromFile::next).hasMessageContaining("cannot read the dataplane token");
  }

  @Test
  void memoryLimitFromCgroups() throws Exception {
    Files.writeString(tmp.resolve("memory.max"), "536870912\n");
    assertThat(BootstrapRequestFactory.cgroupMemoryLimit(tmp)).isEqualTo(536870912L);
    Files.writeString(tmp.resolve("memory.max"), "max\n");
    assertThat(BootstrapRequestFactory.cgroupMemoryLimit(tmp)).isZero();
    Files.delete(tmp.resolve("memory.max"));
    Files.createDirectories(tmp.resolve("memory"));
    Files.writeString(tmp.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
    assertThat(BootstrapRequestFactory.cgroupMemoryLimit(tmp)).isZero();
    assertThat(BootstrapRequestFactory.cgroupMemoryLimit(tmp.resolve("nowhere"))).isZero();
  }
}
