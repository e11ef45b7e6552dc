package io.meshlite.cp.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Odd bodies, names and query strings must never produce a 500: every answer is a success or a
 * Kuma error JSON with a 4xx status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestFuzzIT {
  private static final List<String> BODIES =
      List.of(
          "",
          " ",
          "null",
          "0",
          "\"text\"",
          "[]",
          "{}",
          "{",
          "}",
          "{\"type\":null}",
          "{\"type\":1,\"name\":2,\"mesh\":3}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\"}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":null}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":[]}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":{}}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"inbound\":{}}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"inbound\":[null,1,\"x\",[]]}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"inbound\":[{\"port\":\"80\",\"tags\":[]}]}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"inbound\":[{\"port\":1e99,\"tags\":{\"kuma.io/service\":{\"a\":1}}}]}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"inbound\":[{\"port\":80,\"tags\":{\"kuma.io/service\":\"s\",\"\":\"x\"}}],\"outbound\":[{\"port\":-1,\"backendRef\":{}}],\"transparentProxying\":7,\"admin\":{\"port\":80}}}",
          "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"n\",\"networking\":{\"address\":\"1.1.1.1\",\"gateway\":{\"tags\":null}}}",
          "{\"type\":\"Mesh\",\"name\":\"n\",\"mtls\":{\"backends\":[1,null,{\"name\":[]}],\"enabledBackend\":{}}}",
          "{\"type\":\"Mesh\",\"name\":\"n\",\"mtls\":{\"backends\":\"x\"}}",
          "{\"type\":\"Mesh\",\"name\":\"n\",\"labels\":{\"\":\"x\",\"a\":{}}}",
          "{\"type\":\"Mesh\",\"name\":\"n\",\"creationTime\":\"yesterday\"}",
          "{\"type\":\"Mesh\",\"name\":\"n\",\"name\":\"m\"}",
          "{\"type\":\"MeshTrafficPermission\",\"mesh\":\"default\",\"name\":\"n\",\"spec\":\"x\"}",
          "{\"type\":\"MeshTrafficPermission\",\"mesh\":\"default\",\"name\":\"n\"}",
          "\u0000\u0001\u0002",
          "{\"type\":\"Mesh\",\"name\":\"n\"}garbage",
          "{\"type\":\"Mesh\",\"name\":\"\\ud800\"}",
          "[".repeat(5000) + "]".repeat(5000),
          "{\"a\":" .repeat(2000) + "1" + "}".repeat(2000),
          "{\"type\":\"Mesh\",\"name\":\"" + "x".repeat(300) + "\"}");

  private static final List<String> PATHS =
      List.of("/meshes/n", "/meshes/default/dataplanes/n", "/meshes/default/meshtrafficpermissions/n", "/zones/n");

  private static final List<String> ODD_PATHS =
      List.of(
          "/meshes/%00",
          "/meshes/%2e%2e",
          "/meshes/a%2Fb",
          "/meshes/" + "x".repeat(2000),
          "/meshes/default/dataplanes/%00/x",
          "/meshes/UPPER",
          "/meshes/%E2%9C%93",
          "/meshes//dataplanes",
          "/meshes/default/dataplanes/",
          "/meshes?size=-1",
          "/meshes?size=99999999999999999999",
          "/meshes?offset=1e3",
          "/meshes?filter%5Blabels.%5D=x",
          "/meshes?filter%5B=x",
          "/meshes?name=%00",
          "/_resources/x",
          "/config/x");

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
  void oddBodiesNeverCauseServerErrors() {
    List<String> failures = new ArrayList<>();
    for (String path : PATHS) {
      for (String body : BODIES) {
        check("PUT " + path + " " + abbreviate(body), rest.put(path, body), failures);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void randomBytesNeverCauseServerErrors() {
    Random random = new Random(42);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] body = new byte[random.nextInt(200)];
      random.nextBytes(body);
      check("PUT random #" + i, rest.put("/meshes/default/dataplanes/r", body, "application/json"), failures);
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void oddPathsAndNamesNeverCauseServerErrors() {
    List<String> failures = new ArrayList<>();
    String body = "{\"type\":\"Mesh\",\"name\":\"n\"}";
    for (String path : ODD_PATHS) {
      check("GET " + path, rest.send(HttpRequest.newBuilder(rest.uri(path)).GET()), failures);
      check("PUT " + path, rest.put(path, body.getBytes(StandardCharsets.UTF_8), "application/json"), failures);
      check("DELETE " + path, rest.delete(path), failures);
    }
    assertThat(failures).isEmpty();
  }

  private static void check(String what, RestFixture.Reply r, List<String> failures) {
    boolean ok =
        r.status() < 300
            || (r.status() >= 400
                && r.status() < 500
                && r.json() != null
                && "/std-errors".equals(r.json().path("type").asText())
                && r.json().path("status").asInt() == r.status());
    if (!ok) {
      failures.add(what + " -> " + r.status() + " " + abbreviate(r.raw()));
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
