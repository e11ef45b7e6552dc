package io.meshlite.cp.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshlite.api.rest.IndexResponse;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RestApi} without sockets. */
class RestApiTest {
  private final ResourceManager manager =
      new ResourceManager(new MemoryStore(Clock.systemUTC()), new ResourceManager.Settings(false, 0, Duration.ZERO));
  private final RestApi api =
      new RestApi(
          manager,
          new IndexResponse("h", "Kuma", "0.1.0", "h-1", "c", "g", "2.14.3"),
          JsonNodeFactory.instance::objectNode,
          "/",
          false);

  private RestApi.Reply call(String method, String path, Map<String, List<String>> query, String body) {
    return api.handle(
        new RestApi.Request(
            method, path, query, "application/json", "http://cp:5681", body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void segmentsArePercentDecodedPerSegment() {
    assertThat(RestApi.segments("/meshes/a%2Fb/dataplanes/%E2%9C%93/")).containsExactly("meshes", "a/b", "dataplanes", "✓");
    assertThat(RestApi.segments("/")).isEmpty();
    assertThat(RestApi.segments("/x/%4")).containsExactly("x", "%4");
  }

  @Test
  void nextLinkKeepsOtherParametersSortedAndEncoded() {
    manager.ensureDefaultMesh();
    for (String n : List.of("a", "b", "c")) {
      assertThat(call("PUT", "/meshes/default/dataplanes/" + n, Map.of(), dataplane(n)).status()).isEqualTo(201);
    }
    Map<String, List<String>> q = new LinkedHashMap<>();
    q.put("size", List.of("1"));
    q.put("filter[labels.kuma.io/mesh]", List.of("default"));
    RestApi.Reply r = call("GET", "/meshes/default/dataplanes", q, "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("total").asInt()).isEqualTo(3);
    assertThat(r.body().path("next").asText())
        .isEqualTo("http://cp:5681/meshes/default/dataplanes?filter%5Blabels.kuma.io%2Fmesh%5D=default&offset=1&size=1");
  }

  @Test
  void displayNamesFollowKuma() {
    assertThat(ResourceDescriptors.displayName("MeshHTTPRoute")).isEqualTo("Mesh HTTP Route");
    assertThat(ResourceDescriptors.displayName("MeshTLS")).isEqualTo("Mesh TLS");
    assertThat(ResourceDescriptors.plural("Mesh TLS")).isEqualTo("Mesh TLSes");
    assertThat(ResourceDescriptors.plural("Retry")).isEqualTo("Retries");
    assertThat(ResourceDescriptors.plural("Mesh Proxy Patch")).isEqualTo("Mesh Proxy Patches");
    assertThat(ResourceDescriptors.plural("Mesh")).isEqualTo("Meshes");
    assertThat(ResourceDescriptors.plural("Dataplane Insight")).isEqualTo("Dataplane Insights");
  }

  @Test
  void unexpectedFailuresAre500WithoutDetails() {
    RestApi broken =
        new RestApi(manager, null, () -> { throw new IllegalStateException("boom"); }, "/", false);
    RestApi.Reply r =
        broken.handle(new RestApi.Request("GET", "/config", Map.of(), null, "http://cp", new byte[0]));
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body().path("detail").asText()).isEqualTo("Internal Server Error");
    assertThat(r.body().toString()).doesNotContain("boom");
  }

  private static String dataplane(String name) {
    return "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\""
        + name
        + "\",\"networking\":{\"address\":\"10.0.0.1\",\"inbound\":[{\"port\":8080,\"tags\":{\"kuma.io/service\":\"s\"}}]}}";
  }

  // ---------------------------------------------------------------- dataplane overviews

  private void overviewFixture() {
    manager.ensureDefaultMesh();
    put("/meshes/default/dataplanes/web-1",
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"web-1\",\"networking\":{\"address\":\"10.0.0.1\","
            + "\"inbound\":[{\"port\":80,\"tags\":{\"kuma.io/service\":\"web\",\"version\":\"v1\"}}]}}");
    put("/meshes/default/dataplanes/backend-1",
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"backend-1\",\"networking\":{\"address\":\"10.0.0.2\","
            + "\"inbound\":[{\"port\":80,\"tags\":{\"kuma.io/service\":\"backend\",\"version\":\"v2\"}}]}}");
    put("/meshes/default/dataplanes/edge",
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"edge\",\"networking\":{\"address\":\"10.0.0.3\","
            + "\"gateway\":{\"tags\":{\"kuma.io/service\":\"edge-gw\"}}}}");
    manager.store().create(
        new io.meshlite.api.resource.Resource(
            io.meshlite.api.resource.ResourceTypes.DATAPLANE_INSIGHT, "default", "web-1",
            io.meshlite.api.resource.ResourceMeta.draft(Map.of()),
            (com.fasterxml.jackson.databind.node.ObjectNode)
                io.meshlite.api.resource.Json.mapper()
                    .valueToTree(Map.of("subscriptions", List.of(Map.of("id", "s1", "connectTime", "2026-08-20T10:00:00Z"))))));
  }

  private void put(String path, String body) {
    RestApi.Reply r = call("PUT", path, Map.of(), body);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
  }

  private static String names(RestApi.Reply r) {
    StringBuilder b = new StringBuilder();
    r.body().path("items").forEach(i -> b.append(b.isEmpty() ? "" : ",").append(i.path("name").asText()));
    return b.toString();
  }

  @Test
  void overviewsJoinEachDataplaneWithItsInsightOnEveryKumaPath() {
    overviewFixture();
    for (String path :
        List.of("/meshes/default/dataplanes+insights", "/meshes/default/dataplanes/_overview", "/dataplanes+insights", "/dataplanes/_overview")) {
      RestApi.Reply r = call("GET", path, Map.of(), "");
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.body().path("total").asInt()).as(path).isEqualTo(3);
      assertThat(names(r)).as(path).isEqualTo("backend-1,edge,web-1");
      var web = r.body().path("items").get(2);
      assertThat(web.path("type").asText()).isEqualTo("DataplaneOverview");
      assertThat(web.path("mesh").asText()).isEqualTo("default");
      assertThat(web.path("dataplane").path("networking").path("address").asText()).isEqualTo("10.0.0.1");
      assertThat(web.path("dataplaneInsight").path("subscriptions").get(0).path("id").asText()).isEqualTo("s1");
      assertThat(r.body().path("items").get(0).path("dataplaneInsight").isEmpty()).isTrue();
    }
    for (String path : List.of("/meshes/default/dataplanes+insights/web-1", "/meshes/default/dataplanes/web-1/_overview")) {
      RestApi.Reply one = call("GET", path, Map.of(), "");
      assertThat(one.status()).as(path).isEqualTo(200);
      assertThat(one.body().path("name").asText()).isEqualTo("web-1");
      assertThat(one.body().path("dataplaneInsight").path("subscriptions").size()).isEqualTo(1);
    }
    // the plain Dataplane is still served under its own path
    assertThat(call("GET", "/meshes/default/dataplanes/web-1", Map.of(), "").body().path("type").asText()).isEqualTo("Dataplane");
  }

  @Test
  void overviewsPageAndFilterByTagAndGatewayLikeTheDataplaneList() {
    overviewFixture();
    RestApi.Reply page = call("GET", "/meshes/default/dataplanes+insights", Map.of("size", List.of("2")), "");
    assertThat(page.body().path("total").asInt()).isEqualTo(3);
    assertThat(names(page)).isEqualTo("backend-1,edge");
    assertThat(page.body().path("next").asText()).isEqualTo("http://cp:5681/meshes/default/dataplanes+insights?offset=2&size=2");
    RestApi.Reply last =
        call("GET", "/meshes/default/dataplanes+insights", Map.of("size", List.of("2"), "offset", List.of("2")), "");
    assertThat(names(last)).isEqualTo("web-1");
    assertThat(last.body().path("next").isNull()).isTrue();

    for (String path : List.of("/meshes/default/dataplanes+insights", "/meshes/default/dataplanes")) {
      assertThat(names(call("GET", path, Map.of("tag", List.of("version:v")), ""))).as(path).isEqualTo("backend-1,web-1");
      assertThat(names(call("GET", path, Map.of("tag", List.of("kuma.io/service:web", "version:v1")), ""))).isEqualTo("web-1");
      assertThat(names(call("GET", path, Map.of("tag", List.of("kuma.io/service:web", "version:v2")), ""))).isEmpty();
      assertThat(names(call("GET", path, Map.of("tag", List.of("kuma.io/service:edge")), ""))).isEqualTo("edge");
      assertThat(names(call("GET", path, Map.of("gateway", List.of("true")), ""))).isEqualTo("edge");
      assertThat(names(call("GET", path, Map.of("gateway", List.of("delegated")), ""))).isEqualTo("edge");
      assertThat(names(call("GET", path, Map.of("gateway", List.of("builtin")), ""))).isEmpty();
      assertThat(names(call("GET", path, Map.of("gateway", List.of("false")), ""))).isEqualTo("backend-1,web-1");
      assertThat(names(call("GET", path, Map.of("name", List.of("end")), ""))).isEqualTo("backend-1");
      RestApi.Reply bad = call("GET", path, Map.of("gateway", List.of("maybe")), "");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body().path("invalid_parameters").get(0).path("field").asText()).isEqualTo("gateway");
    }
  }

  @Test
  void overviewsOfMissingThingsAre404AndOnlyGetIsAllowed() {
    overviewFixture();
    assertThat(call("GET", "/meshes/nope/dataplanes+insights", Map.of(), "").status()).isEqualTo(404);
    RestApi.Reply missing = call("GET", "/meshes/default/dataplanes+insights/nope", Map.of(), "");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(call("GET", "/meshes/default/dataplanes/nope/_overview", Map.of(), "").status()).isEqualTo(404);
    assertThat(call("PUT", "/meshes/default/dataplanes+insights/web-1", Map.of(), "{}").status()).isEqualTo(405);
    assertThat(call("DELETE", "/meshes/default/dataplanes/web-1/_overview", Map.of(), "").status()).isEqualTo(405);
    // insights themselves: listed and read-only
    assertThat(call("GET", "/meshes/default/dataplane-insights/web-1", Map.of(), "").status()).isEqualTo(200);
    assertThat(call("DELETE", "/meshes/default/dataplane-insights/web-1", Map.of(), "").status()).isEqualTo(405);
  }

  @Test
  void meshInsightsAreComputedFromTheStore() {
    overviewFixture();
    put("/meshes/default/traffic-permissions/allow-all",
        "{\"type\":\"TrafficPermission\",\"mesh\":\"default\",\"name\":\"allow-all\","
            + "\"sources\":[{\"match\":{\"kuma.io/service\":\"*\"}}],\"destinations\":[{\"match\":{\"kuma.io/service\":\"*\"}}]}");

    RestApi.Reply list = call("GET", "/mesh-insights", Map.of(), "");
    assertThat(list.status()).as(list.body().toString()).isEqualTo(200);
    assertThat(list.body().path("total").asInt()).isEqualTo(1);
    var m = list.body().path("items").get(0);
    assertThat(m.path("type").asText()).isEqualTo("MeshInsight");
    assertThat(m.path("name").asText()).isEqualTo("default");
    assertThat(m.path("dataplanes").path("total").asInt()).isEqualTo(3);
    assertThat(m.path("dataplanes").path("online").asInt()).isEqualTo(1); // web-1 has an open subscription
    assertThat(m.path("dataplanes").path("offline").asInt()).isEqualTo(2);
    assertThat(m.path("policies").path("TrafficPermission").path("total").asInt()).isEqualTo(1);
    assertThat(m.path("policies").path("MeshTrafficPermission").path("total").asInt()).isZero();
    assertThat(m.path("policies").has("Dataplane")).isFalse();
    assertThat(m.path("services").path("total").asInt()).isEqualTo(2);

    RestApi.Reply one = call("GET", "/mesh-insights/default", Map.of(), "");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body().path("dataplanes").path("online").asInt()).isEqualTo(1);
    assertThat(one.body().path("policies").path("TrafficPermission").path("total").asInt()).isEqualTo(1);
    assertThat(call("GET", "/mesh-insights/nope", Map.of(), "").status()).isEqualTo(404);
    assertThat(call("PUT", "/mesh-insights/default", Map.of(), "{}").status()).isEqualTo(405);
  }
}
