package io.meshlite.cp.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.ResourceTypes;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestServerIT {
  private RestFixture rest;

  @BeforeAll
  void start() {
    rest = new RestFixture(Map.of());
  }

  @AfterAll
  void stop() {
    rest.close();
  }

  @Test
  void indexSaysKuma() {
    RestFixture.Reply r = rest.get("/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("product").asText()).isEqualTo("Kuma");
    assertThat(r.json().path("version").asText()).isEqualTo("0.1.0");
    assertThat(r.json().path("basedOnKuma").asText()).isEqualTo("2.14.3");
  }

  @Test
  void resourcesDescribeEveryType() {
    RestFixture.Reply r = rest.get("/_resources");
    assertThat(r.status()).isEqualTo(200);
    JsonNode list = r.json().path("resources");
    assertThat(list.size()).isEqualTo(ResourceTypes.all().size());
    JsonNode mesh = find(list, "Mesh");
    assertThat(mesh.path("path").asText()).isEqualTo("meshes");
    assertThat(mesh.path("scope").asText()).isEqualTo("Global");
    assertThat(mesh.path("pluralDisplayName").asText()).isEqualTo("Meshes");
    JsonNode route = find(list, "MeshHTTPRoute");
    assertThat(route.path("singularDisplayName").asText()).isEqualTo("Mesh HTTP Route");
    assertThat(route.path("policy").path("isTargetRef").asBoolean()).isTrue();
    assertThat(find(list, "MeshLoadBalancingStrategy").path("pluralDisplayName").asText())
        .isEqualTo("Mesh Load Balancing Strategies");
    assertThat(find(list, "DataplaneInsight").path("readOnly").asBoolean()).isTrue();
  }

  @Test
  void configIsServedWithSecretsRedacted() {
    RestFixture.Reply r = rest.get("/config");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().at("/apiServer/http/interface").asText()).isEqualTo("127.0.0.1");
    assertThat(r.json().at("/store/postgres/password").asText()).isEqualTo("*****");
  }

  @Test
  void meshCrud() {
    RestFixture.Reply created = rest.put("/meshes/crud-1", "{\"type\":\"Mesh\",\"name\":\"crud-1\"}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.raw()).isEqualTo("{}");

    RestFixture.Reply updated =
        rest.put("/meshes/crud-1", "{\"type\":\"Mesh\",\"name\":\"crud-1\",\"labels\":{\"team\":\"a\"}}");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.raw()).isEqualTo("{}");

    RestFixture.Reply got = rest.get("/meshes/crud-1");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().path("type").asText()).isEqualTo("Mesh");
    assertThat(got.json().path("name").asText()).isEqualTo("crud-1");
    assertThat(got.json().path("labels").path("team").asText()).isEqualTo("a");
    assertThat(got.json().has("creationTime")).isTrue();

    assertThat(rest.delete("/meshes/crud-1").status()).isEqualTo(200);
    RestFixture.Reply gone = rest.get("/meshes/crud-1");
    assertThat(gone.status()).isEqualTo(404);
    assertError(gone, 404, "Could not retrieve a resource");
    assertThat(gone.json().path("detail").asText()).isEqualTo("Not found");
    assertError(rest.delete("/meshes/crud-1"), 404, "Could not delete a resource");
  }

  @Test
  void dataplaneCrud() {
    mesh("dp-crud");
    assertThat(rest.put("/meshes/dp-crud/dataplanes/web-1", dataplane("dp-crud", "web-1", "web")).status())
        .isEqualTo(201);
    assertThat(rest.put("/meshes/dp-crud/dataplanes/web-1", dataplane("dp-crud", "web-1", "web-v2")).status())
        .isEqualTo(200);

    RestFixture.Reply got = rest.get("/meshes/dp-crud/dataplanes/web-1");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().path("mesh").asText()).isEqualTo("dp-crud");
    assertThat(got.json().at("/networking/inbound/0/tags/kuma.io~1service").asText()).isEqualTo("web-v2");
    assertThat(got.json().at("/labels/kuma.io~1mesh").asText()).isEqualTo("dp-crud");

    RestFixture.Reply all = rest.get("/dataplanes?name=web-1");
    assertThat(all.json().path("items")).anySatisfy(i -> assertThat(i.path("mesh").asText()).isEqualTo("dp-crud"));

    assertThat(rest.delete("/meshes/dp-crud/dataplanes/web-1").status()).isEqualTo(200);
    assertThat(rest.get("/meshes/dp-crud/dataplanes/web-1").status()).isEqualTo(404);
  }

  @Test
  void listPagesWithAbsoluteNextLinks() {
    for (int i = 1; i <= 5; i++) {
      mesh("page-" + i);
    }
    RestFixture.Reply first = rest.get("/meshes?size=2&name=page-");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().path("total").asLong()).isEqualTo(5);
    assertThat(names(first.json())).containsExactly("page-1", "page-2");
    assertThat(first.json().path("next").asText()).isEqualTo(rest.base() + "/meshes?name=page-&offset=2&size=2");

    List<String> all = new ArrayList<>(names(first.json()));
    JsonNode page = first.json();
    int pages = 1;
    while (!page.path("next").isNull()) {
      page = rest.getUrl(page.path("next").asText()).json();
      all.addAll(names(page));
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(all).containsExactly("page-1", "page-2", "page-3", "page-4", "page-5");
  }

  @Test
  void badPageParametersAre400() {
    RestFixture.Reply size = rest.get("/meshes?size=abc");
    assertError(size, 400, "Could not retrieve resources");
    assertThat(size.json().path("detail").asText()).isEqualTo("Invalid page size");
    assertThat(size.json().at("/causes/0/field").asText()).isEqualTo("size");
    assertError(rest.get("/meshes?size=2000"), 400, "Could not retrieve resources");
    RestFixture.Reply offset = rest.get("/meshes?offset=invalid");
    assertThat(offset.json().path("detail").asText()).isEqualTo("Invalid offset");
    assertThat(offset.json().at("/causes/0/field").asText()).isEqualTo("offset");
  }

  @Test
  void labelFilter() {
    mesh("labels");
    rest.put("/meshes/labels/dataplanes/a", dataplane("labels", "a", "a", "\"labels\":{\"team\":\"x\"},"));
    rest.put("/meshes/labels/dataplanes/b", dataplane("labels", "b", "b", "\"labels\":{\"team\":\"y\"},"));

    RestFixture.Reply r = rest.get("/meshes/labels/dataplanes?filter%5Blabels.team%5D=y");
    assertThat(r.status()).isEqualTo(200);
    assertThat(names(r.json())).containsExactly("b");
    RestFixture.Reply bad = rest.get("/meshes/labels/dataplanes?filter%5Blabelz.team%5D=y");
    assertError(bad, 400, "Could not retrieve resources");
    assertThat(bad.json().at("/causes/0/field").asText()).isEqualTo("/meshes/{mesh}/dataplanes.filter[labelz.team]");
  }

  @Test
  void dataplaneWithoutServiceTagIsRejectedAndNotStored() {
    mesh("invalid-dp");
    String body =
        "{\"type\":\"Dataplane\",\"mesh\":\"invalid-dp\",\"name\":\"web-1\","
            + "\"networking\":{\"address\":\"10.0.0.1\",\"inbound\":[{\"port\":8080,\"tags\":{\"app\":\"web\"}}]}}";

    RestFixture.Reply r = rest.put("/meshes/invalid-dp/dataplanes/web-1", body);

    assertError(r, 400, "Could not process a resource");
    assertThat(r.json().path("detail").asText()).isEqualTo("Resource is not valid");
    assertThat(r.json().at("/causes/0/field").asText()).isEqualTo("networking.inbound[0].tags[\"kuma.io/service\"]");
    assertThat(r.json().at("/causes/0/message").asText()).isEqualTo("tag has to exist");
    assertThat(r.json().at("/invalid_parameters/0/field").asText())
        .isEqualTo("networking.inbound[0].tags[\"kuma.io/service\"]");
    assertThat(rest.get("/meshes/invalid-dp/dataplanes/web-1").status()).isEqualTo(404);
  }

  @Test
  void missingMeshIs400WithCauseMesh() {
    RestFixture.Reply r = rest.put("/meshes/nowhere/dataplanes/web-1", dataplane("nowhere", "web-1", "web"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("detail").asText()).isEqualTo("Mesh is not found");
    assertThat(r.json().at("/causes/0/field").asText()).isEqualTo("mesh");
    assertThat(r.json().at("/causes/0/message").asText()).isEqualTo("mesh of name nowhere is not found");
    assertError(rest.get("/meshes/nowhere/dataplanes"), 404, "Failed to retrieve Mesh");
  }

  @Test
  void malformedJsonIs400() {
    RestFixture.Reply r = rest.put("/meshes/broken", "{\"type\":\"Mesh\",");
    assertError(r, 400, "Bad Request");
    assertThat(r.json().path("detail").asText()).startsWith("invalid Mesh object: ");
    assertError(rest.put("/meshes/broken", "[1,2]"), 400, "Bad Request");
    assertError(rest.put("/meshes/broken", ""), 400, "Bad Request");
  }

  @Test
  void bodyMustMatchTheUrl() {
    RestFixture.Reply r =
        rest.put(
            "/meshes/default/dataplanes/web-1",
            "{\"type\":\"Mesh\",\"mesh\":\"other\",\"name\":\"web-2\",\"networking\":{}}");
    assertError(r, 400, "Could not process a resource");
    assertThat(r.json().path("causes"))
        .extracting(c -> c.path("field").asText() + ": " + c.path("message").asText())
        .containsExactly(
            "name: name from the URL has to be the same as in body",
            "type: type from the URL has to be the same as in body",
            "mesh: mesh from the URL has to be the same as in body");
  }

  @Test
  void wrongFieldTypesAre400() {
    RestFixture.Reply r = rest.put("/meshes/typed", "{\"type\":\"Mesh\",\"name\":\"typed\",\"mtls\":\"yes\"}");
    assertError(r, 400, "Could not process a resource");
    assertThat(r.json().at("/causes/0/field").asText()).isEqualTo("mtls");
    RestFixture.Reply labels = rest.put("/meshes/typed", "{\"type\":\"Mesh\",\"name\":\"typed\",\"labels\":[1]}");
    assertError(labels, 400, "Could not process a resource");
  }

  @Test
  void oversizedBodyIs413() {
    byte[] big = new byte[(int) RestServer.MAX_BODY_BYTES + 1024];
    Arrays.fill(big, (byte) ' ');
    RestFixture.Reply r = rest.put("/meshes/big", big, "application/json");
    assertError(r, 413, "Request body is too large");
  }

  @Test
  void oversizedChunkedBodyIs413() {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) ' ');
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      chunks.add(chunk);
    }
    RestFixture.Reply r =
        rest.send(
            HttpRequest.newBuilder(rest.uri("/meshes/big"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArrays(chunks)));
    assertError(r, 413, "Request body is too large");
  }

  @Test
  void unknownPathsAre404Json() {
    assertError(rest.get("/nope"), 404, "Not found");
    assertError(rest.get("/meshes/default/not-a-type"), 404, "Not found");
    assertError(rest.get("/dataplanes/web-1"), 404, "Not found");
    assertError(rest.get("/meshes/default/dataplanes/web-1/xyz/abc"), 404, "Not found");
  }

  @Test
  void readOnlyTypesAnswer405() {
    String insight = "{\"type\":\"DataplaneInsight\",\"mesh\":\"default\",\"name\":\"x\"}";
    assertError(rest.put("/meshes/default/dataplane-insights/x", insight), 405, null);
    assertError(rest.delete("/meshes/default/dataplane-insights/x"), 405, null);
    assertThat(rest.get("/meshes/default/dataplane-insights").status()).isEqualTo(200);
  }

  @Test
  void wrongMethodIs405AndWrongMediaTypeIs415() {
    assertError(rest.method("POST", "/meshes"), 405, "Method not allowed");
    assertError(rest.method("PATCH", "/meshes/default"), 405, "Method not allowed");
    assertError(
        rest.put("/meshes/plain", "{\"type\":\"Mesh\",\"name\":\"plain\"}".getBytes(StandardCharsets.UTF_8), "text/plain"),
        415,
        "Could not process a resource");
    assertThat(
            rest.put("/meshes/no-ct", "{\"type\":\"Mesh\",\"name\":\"no-ct\"}".getBytes(StandardCharsets.UTF_8), null)
                .status())
        .isEqualTo(201);
  }

  @Test
  void deletingAMeshCascadesAndIsRefusedWhileDataplanesRemain() {
    mesh("cascade");
    String mtp =
        "{\"type\":\"MeshTrafficPermission\",\"mesh\":\"cascade\",\"name\":\"allow-all\","
            + "\"spec\":{\"targetRef\":{\"kind\":\"Mesh\"},\"from\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"action\":\"Allow\"}}]}}";
    assertThat(rest.put("/meshes/cascade/meshtrafficpermissions/allow-all", mtp).status()).isEqualTo(201);
    assertThat(rest.put("/meshes/cascade/dataplanes/web-1", dataplane("cascade", "web-1", "web")).status())
        .isEqualTo(201);

    RestFixture.Reply refused = rest.delete("/meshes/cascade");
    assertError(refused, 400, "Could not delete a resource");
    assertThat(refused.json().at("/causes/0/message").asText())
        .isEqualTo("unable to delete mesh, there are still some dataplanes attached");

    assertThat(rest.delete("/meshes/cascade/dataplanes/web-1").status()).isEqualTo(200);
    assertThat(rest.delete("/meshes/cascade").status()).isEqualTo(200);
    assertThat(rest.get("/meshes/cascade/meshtrafficpermissions/allow-all").status()).isEqualTo(404);
    assertThat(rest.get("/meshtrafficpermissions").json().path("items"))
        .noneSatisfy(i -> assertThat(i.path("mesh").asText()).isEqualTo("cascade"));
  }

  @Test
  void readOnlyModeRefusesWrites() {
    try (RestFixture ro = new RestFixture(Map.of("KUMA_API_SERVER_READ_ONLY", "true"))) {
      assertError(ro.put("/meshes/x", "{\"type\":\"Mesh\",\"name\":\"x\"}"), 405, null);
      assertThat(ro.get("/meshes").status()).isEqualTo(200);
    }
  }

  @Test
  void basePathPrefixesTheApi() {
    try (RestFixture based = new RestFixture(Map.of("KUMA_API_SERVER_BASE_PATH", "/api"))) {
      assertThat(based.get("/api/meshes/default").status()).isEqualTo(200);
      assertThat(based.get("/meshes/default").status()).isEqualTo(404);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void mesh(String name) {
    assertThat(rest.put("/meshes/" + name, "{\"type\":\"Mesh\",\"name\":\"" + name + "\"}").status()).isEqualTo(201);
  }

  private static String dataplane(String mesh, String name, String service) {
    return dataplane(mesh, name, service, "");
  }

  private static String dataplane(String mesh, String name, String service, String extra) {
    return "{\"type\":\"Dataplane\",\"mesh\":\""
        + mesh
        + "\",\"name\":\""
        + name
        + "\","
        + extra
        + "\"networking\":{\"address\":\"10.0.0.1\",\"inbound\":[{\"port\":8080,\"tags\":{\"kuma.io/service\":\""
        + service
        + "\"}}]}}";
  }

  private static List<String> names(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.path("items").forEach(i -> out.add(i.path("name").asText()));
    return out;
  }

  private static JsonNode find(JsonNode list, String name) {
    for (JsonNode n : list) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no " + name + " in " + list);
  }

  static void assertError(RestFixture.Reply r, int status, String title) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.json()).as("JSON error body: " + r.raw()).isNotNull();
    assertThat(r.json().path("type").asText()).isEqualTo("/std-errors");
    assertThat(r.json().path("status").asInt()).isEqualTo(status);
    assertThat(r.json().path("detail").asText()).isNotEmpty();
    assertThat(r.json().path("details").asText()).isEqualTo(r.json().path("detail").asText());
    if (title != null) {
      assertThat(r.json().path("title").asText()).isEqualTo(title);
    }
  }
}
