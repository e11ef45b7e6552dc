package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.store.memory.MemoryStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /bootstrap} over real HTTP (1.1 and h2c) against a started DpServer. */
class BootstrapEndpointIT {
  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private DpServer server;

  @BeforeEach
  void start() {
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: backend-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: 8080
                tags:
                  kuma.io/service: backend
            """));
    server = new DpServer(DpServerConfig.defaults().withPort(0).withBindAddress("127.0.0.1"), store, Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private HttpResponse<String> post(String body, HttpClient.Version version) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/bootstrap"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void existingDataplaneGetsItsBootstrap() throws Exception {
    for (HttpClient.Version v : HttpClient.Version.values()) {
      HttpResponse<String> r = post("{\"mesh\":\"default\",\"name\":\"backend-1\",\"adminPort\":19123}", v);

      assertThat(r.statusCode()).as("%s", v).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      JsonNode response = Json.mapper().readTree(r.body());
      assertThat(response.at("/kumaSidecarConfiguration/networking/address").asText()).isEqualTo("127.0.0.1");
      String bootstrap =
          new String(Base64.getDecoder().decode(response.get("bootstrap").asText()), StandardCharsets.UTF_8);
      JsonNode b = Json.mapper().readTree(bootstrap);
      assertThat(b.at("/node/id").asText()).isEqualTo("default.backend-1");
      assertThat(b.at("/admin/address/socketAddress/portValue").asInt()).isEqualTo(19123);
      assertThat(b.at("/staticResources/clusters/0/name").asText()).isEqualTo("ads_cluster");
      assertThat(b.at("/staticResources/clusters/0/loadAssignment/endpoints/0/lbEndpoints/0/endpoint/address/socketAddress/portValue").asInt())
          .isEqualTo(server.port());
    }
  }

  @Test
  void missingDataplaneIs404WithEmptyBody() throws Exception {
    HttpResponse<String> r = post("{\"mesh\":\"default\",\"name\":\"nope\"}", HttpClient.Version.HTTP_1_1);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void badJsonIs400() throws Exception {
    assertThat(post("{not json", HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(400);
  }

  @Test
  void invalidDataplaneResourceIs422WithAMessage() throws Exception {
    String body =
        Json.mapper()
            .createObjectNode()
            .put("mesh", "default")
            .put("name", "self-1")
            .put("dataplaneResource", "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"self-1\",\"networking\":{}}")
            .toString();

    HttpResponse<String> r = post(body, HttpClient.Version.HTTP_1_1);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body()).contains("networking.address");
  }
}
