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
}
