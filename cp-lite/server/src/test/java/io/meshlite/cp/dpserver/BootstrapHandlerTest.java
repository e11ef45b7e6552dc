package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /bootstrap} logic without HTTP: status codes, bodies and the generated bootstrap. */
class BootstrapHandlerTest {
  private static final String BACKEND =
      """
      type: Dataplane
      mesh: default
      name: backend-1
      networking:
        address: 10.0.0.1
        inbound:
        - port: 8080
          servicePort: 18080
          tags:
            kuma.io/service: backend
            kuma.io/protocol: http
      """;

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final BootstrapHandler handler =
      new BootstrapHandler(store, DpServerConfig.defaults(), () -> 5678);

  @BeforeEach
  void meshAndDataplane() {
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(ResourceCodec.parse(BACKEND));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private BootstrapHandler.Reply post(String body) {
    return handler.handle(bytes(body), "10.1.2.3:5678", true);
  }

  private static JsonNode bootstrapOf(BootstrapHandler.Reply r) throws Exception {
    JsonNode response = Json.mapper().readTree(r.body());
    return Json.mapper().readTree(Base64.getDecoder().decode(response.get("bootstrap").asText()));
  }

  @Test
  void fullRequestMatchesGolden() throws Exception {
    BootstrapHandler.Reply r = post(Golden.read("xds/bootstrap/full.request.json"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(Json.mapper().readTree(r.body()).at("/kumaSidecarConfiguration/networking/address").asText())
        .isEqualTo("10.0.0.1");
    Golden.assertMatches("xds/bootstrap/full.golden.json", Golden.json(bootstrapOf(r)));
  }

  @Test
  void minimalRequestMatchesGolden() throws Exception {
    BootstrapHandler.Reply r = post(Golden.read("xds/bootstrap/minimal.request.json"));

    assertThat(r.status()).isEqualTo(200);
    Golden.assertMatches("xds/bootstrap/minimal.golden.json", Golden.json(bootstrapOf(r)));
  }

  @Test
  void withoutJsonAcceptTheBootstrapItselfIsReturnedAsYaml() throws Exception {
    BootstrapHandler.Reply r = handler.handle(bytes("{\"mesh\":\"default\",\"name\":\"backend-1\"}"), "cp:5678", false);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("text/x-yaml");
    JsonNode bootstrap = Json.yaml().readTree(r.body());
    assertThat(bootstrap.at("/node/id").asText()).isEqualTo("default.backend-1");
  }

  @Test
  void unparseableJsonIs400WithEmptyBody() {
    for (String body : new String[] {"", "not json", "{\"mesh\": ", "[1,2]"}) {
      BootstrapHandler.Reply r = post(body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.body()).as(body).isEmpty();
    }
  }

  @Test
  void missingDataplaneOrMeshIs404WithEmptyBody() {
    BootstrapHandler.Reply noDp = post("{\"mesh\":\"default\",\"name\":\"nope\"}");
    BootstrapHandler.Reply noMesh = post("{\"mesh\":\"other\",\"name\":\"backend-1\"}");

    assertThat(noDp.status()).isEqualTo(404);
    assertThat(noDp.body()).isEmpty();
    assertThat(noMesh.status()).isEqualTo(404);
    assertThat(noMesh.body()).isEmpty();
  }

  @Test
  void missingMeshOrNameIs422() {
    BootstrapHandler.Reply r = post("{\"proxyType\":\"ingress\"}");

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.bodyText()).contains("mesh: cannot be empty", "name: cannot be empty", "proxyType");
  }

  @Test
  void inlineDataplaneIsValidatedAndUsed() throws Exception {
    String dp =
        Json.mapper()
            .writeValueAsString(
                ResourceCodec.toJson(
                    ResourceCodec.parse(BACKEND.replace("backend-1", "self-1").replace("10.0.0.1", "10.0.0.7"))));
    String body = Json.mapper().createObjectNode().put("mesh", "default").put("name", "self-1").put("dataplaneResource", dp).toString();

    BootstrapHandler.Reply r = post(body);

    assertThat(r.status()).isEqualTo(200);
    JsonNode bootstrap = bootstrapOf(r);
    assertThat(bootstrap.at("/node/id").asText()).isEqualTo("default.self-1");
    assertThat(bootstrap.at("/node/metadata/dataplane.resource").asText()).isEqualTo(dp);
    assertThat(Json.mapper().readTree(r.body()).at("/kumaSidecarConfiguration/networking/address").asText())
        .isEqualTo("10.0.0.7");
  }

  @Test
  void invalidInlineDataplaneIs422WithTheReason() {
    String dp = "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"self-1\",\"networking\":{\"address\":\"10.0.0.7\"}}";
    String body = Json.mapper().createObjectNode().put("mesh", "default").put("name", "self-1").put("dataplaneResource", dp).toString();

    BootstrapHandler.Reply r = post(body);

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.bodyText()).contains("dataplaneResource is not valid", "networking", "inbound");
  }

  @Test
  void inlineDataplaneOfAMissingMeshIs422() {
    String dp = BACKEND.replace("mesh: default", "mesh: other");
    String body = Json.mapper().createObjectNode().put("mesh", "other").put("name", "backend-1").put("dataplaneResource", dp).toString();

    BootstrapHandler.Reply r = post(body);

    assertThat(r.status()).isEqualTo(422);
    assertThat(r.bodyText()).contains("mesh \"other\" does not exist");
  }

  @Test
  void adminPortComesFromDataplaneThenRequestThenDefault() throws Exception {
    assertThat(bootstrapOf(post("{\"mesh\":\"default\",\"name\":\"backend-1\"}")).at("/admin/address/socketAddress/portValue").asInt())
        .isEqualTo(9901);
    assertThat(bootstrapOf(post("{\"mesh\":\"default\",\"name\":\"backend-1\",\"adminPort\":19000}")).at("/admin/address/socketAddress/portValue").asInt())
        .isEqualTo(19000);

    store.create(ResourceCodec.parse(BACKEND.replace("backend-1", "backend-2").replace("  inbound:", "  admin: {port: 9555}\n  inbound:")));

    JsonNode b = bootstrapOf(post("{\"mesh\":\"default\",\"name\":\"backend-2\",\"adminPort\":19000}"));
    assertThat(b.at("/admin/address/socketAddress/portValue").asInt()).isEqualTo(9555);
    assertThat(b.at("/node/metadata/dataplane.admin.port").asText()).isEqualTo("9555");
  }

  @Test
  void xdsAddressComesFromHostHeaderUnlessConfigured() throws Exception {
    JsonNode fromHost = bootstrapOf(handler.handle(bytes("{\"mesh\":\"default\",\"name\":\"backend-1\"}"), "[::1]:5678", true));
    assertThat(fromHost.at("/staticResources/clusters/0/loadAssignment/endpoints/0/lbEndpoints/0/endpoint/address/socketAddress"))
        .hasToString("{\"address\":\"::1\",\"portValue\":5678}");

    BootstrapHandler configured =
        new BootstrapHandler(store, DpServerConfig.defaults().withXdsHost("10.9.9.9").withXdsPort(15678), () -> 5678);
    JsonNode b = bootstrapOf(configured.handle(bytes("{\"mesh\":\"default\",\"name\":\"backend-1\"}"), "cp:5678", true));
    assertThat(b.at("/staticResources/clusters/0/loadAssignment/endpoints/0/lbEndpoints/0/endpoint/address/socketAddress"))
        .hasToString("{\"address\":\"10.9.9.9\",\"portValue\":15678}");
    assertThat(b.at("/staticResources/clusters/0/type").asText()).isEqualTo("STATIC");
  }

  @Test
  void hostOfStripsThePort() {
    assertThat(BootstrapHandler.hostOf("cp.example:5678")).isEqualTo("cp.example");
    assertThat(BootstrapHandler.hostOf("cp.example")).isEqualTo("cp.example");
    assertThat(BootstrapHandler.hostOf("[fd00::1]:5678")).isEqualTo("fd00::1");
    assertThat(BootstrapHandler.hostOf("fd00::1")).isEqualTo("fd00::1");
  }
}
