package io.meshlite.cp.insights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshInsightsTest {
  private static final String ONLINE =
      "{\"subscriptions\":[{\"id\":\"1\",\"connectTime\":\"2026-01-01T00:00:00Z\","
          + "\"version\":{\"kumaDp\":{\"version\":\"0.1.0\"},\"envoy\":{\"version\":\"1.39.3\"}}}],"
          + "\"mTLS\":{\"issuedBackend\":\"ca-1\"}}";
  private static final String OFFLINE =
      "{\"subscriptions\":[{\"id\":\"1\",\"connectTime\":\"2026-01-01T00:00:00Z\",\"disconnectTime\":\"2026-01-01T00:01:00Z\","
          + "\"version\":{\"kumaDp\":{\"version\":\"0.1.0\"},\"envoy\":{\"version\":\"1.39.3\"}}}]}";

  private static JsonNode json(String s) {
    try {
      return Json.mapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Resource dp(String name, String inbounds) {
    return ResourceCodec.parse(
        "{\"type\":\"Dataplane\",\"mesh\":\"m\",\"name\":\"" + name + "\",\"networking\":{\"address\":\"10.0.0.1\",\"inbound\":" + inbounds + "}}");
  }

  private static Resource insight(String name, String spec) {
    return new Resource(
        ResourceTypes.DATAPLANE_INSIGHT, "m", name, ResourceMeta.draft(Map.of()),
        (com.fasterxml.jackson.databind.node.ObjectNode) json(spec));
  }

  @Test
  void statusFollowsTheSubscriptionsAndTheInboundsReadiness() {
    String ready = "[{\"port\":80,\"tags\":{\"kuma.io/service\":\"a\"}}]";
    String oneDown =
        "[{\"port\":80,\"tags\":{\"kuma.io/service\":\"a\"}},{\"port\":81,\"state\":\"NotReady\",\"tags\":{\"kuma.io/service\":\"b\"}}]";
    String allDown = "[{\"port\":80,\"health\":{\"ready\":false},\"tags\":{\"kuma.io/service\":\"a\"}}]";
    assertThat(MeshInsights.status(dp("x", ready).spec(), json(ONLINE))).isEqualTo(MeshInsights.Status.ONLINE);
    assertThat(MeshInsights.status(dp("x", ready).spec(), json(OFFLINE))).isEqualTo(MeshInsights.Status.OFFLINE);
    assertThat(MeshInsights.status(dp("x", ready).spec(), json("{}"))).isEqualTo(MeshInsights.Status.OFFLINE);
    assertThat(MeshInsights.status(dp("x", oneDown).spec(), json(ONLINE))).isEqualTo(MeshInsights.Status.PARTIALLY_DEGRADED);
    assertThat(MeshInsights.status(dp("x", allDown).spec(), json(ONLINE))).isEqualTo(MeshInsights.Status.OFFLINE);
  }

  @Test
  void countsDataplanesVersionsBackendsAndPolicies() {
    Resource mesh = ResourceCodec.parse("type: Mesh\nname: m\n");
    String in = "[{\"port\":80,\"tags\":{\"kuma.io/service\":\"%s\"}}]";
    List<Resource> dps = List.of(dp("a", in.formatted("web")), dp("b", in.formatted("web")), dp("c", in.formatted("db")));
    Map<String, Resource> insights = Map.of("a", insight("a", ONLINE), "b", insight("b", OFFLINE));

    JsonNode mi = MeshInsights.compute(mesh, dps, insights, Map.of("MeshRetry", 2L), Instant.parse("2026-01-01T00:02:00Z"));

    assertThat(mi.path("type").asText()).isEqualTo("MeshInsight");
    assertThat(mi.path("lastSync").asText()).isEqualTo("2026-01-01T00:02:00Z");
    assertThat(mi.path("dataplanes").toString())
        .isEqualTo("{\"total\":3,\"online\":1,\"offline\":2,\"partiallyDegraded\":0}");
    assertThat(mi.path("dpVersions").path("kumaDp").path("0.1.0").toString()).isEqualTo("{\"total\":2,\"online\":1}");
    assertThat(mi.path("dpVersions").path("envoy").path("unknown").path("total").asInt()).isEqualTo(1);
    assertThat(mi.path("mTLS").path("issuedBackends").path("ca-1").toString()).isEqualTo("{\"total\":1,\"online\":1}");
    assertThat(mi.path("policies").path("MeshRetry").path("total").asInt()).isEqualTo(2);
    assertThat(mi.path("services").path("total").asInt()).isEqualTo(2);
  }
}
