package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplyIT extends AgainstFakeApi {
  private static final String MESH = """
      type: Mesh
      name: demo
      """;
  private static final String DATAPLANE = """
      type: Dataplane
      mesh: demo
      name: web-1
      labels:
        team: web
      networking:
        address: 10.0.0.1
        inbound:
        - port: 8080
          servicePort: 80
          tags:
            kuma.io/service: web
            kuma.io/protocol: http
      """;
  private static final String MTP = """
      type: MeshTrafficPermission
      mesh: demo
      name: allow-all
      spec:
        targetRef:
          kind: Mesh
        from:
        - targetRef:
            kind: Mesh
          default:
            action: Allow
      """;

  @Test
  void multiDocumentFileIsPutResourceByResourceWithRestBodies() throws Exception {
    api.on("PUT /meshes/demo", 201, "{}")
        .on("PUT /meshes/demo/dataplanes/web-1", 200, "{}")
        .on("PUT /meshes/demo/meshtrafficpermissions/allow-all", 201, "{\"warnings\":[\"field x is deprecated\"]}");
    Path file = home.resolve("all.yaml");
    Files.writeString(file, MESH + "---\n" + DATAPLANE + "---\n" + MTP);

    Cli.Result r = cli.run("apply", "-f", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            resource type="Mesh" mesh="" name="demo" Created
            resource type="Dataplane" mesh="demo" name="web-1" Updated
            resource type="MeshTrafficPermission" mesh="demo" name="allow-all" Created
            """);
    assertThat(r.err()).isEqualTo("Warning: field x is deprecated\n");
    List<FakeApi.Request> reqs = api.apiRequests();
    assertThat(reqs)
        .extracting(FakeApi.Request::line)
        .containsExactly(
            "PUT /meshes/demo",
            "PUT /meshes/demo/dataplanes/web-1",
            "PUT /meshes/demo/meshtrafficpermissions/allow-all");
    assertThat(json(reqs.get(0).body())).isEqualTo(json("{\"type\":\"Mesh\",\"name\":\"demo\"}"));
    assertThat(json(reqs.get(1).body()))
        .isEqualTo(
            json(
                """
                {"type":"Dataplane","mesh":"demo","name":"web-1","labels":{"team":"web"},
                 "networking":{"address":"10.0.0.1","inbound":[{"port":8080,"servicePort":80,
                 "tags":{"kuma.io/service":"web","kuma.io/protocol":"http"}}]}}
                """));
    assertThat(json(reqs.get(2).body()))
        .isEqualTo(
            json(
                """
                {"type":"MeshTrafficPermission","mesh":"demo","name":"allow-all",
                 "spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}
                """));
  }

  @Test
  void oneInvalidDocumentMeansNothingIsSent() throws Exception {
    String noService = DATAPLANE.replace("kuma.io/service: web\n", "");
    Path file = home.resolve("bad.yaml");
    Files.writeString(file, MESH + "---\n" + noService + "---\n" + MTP);

    Cli.Result r = cli.run("apply", "-f", file.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "Error: document 2 (Dataplane \"web-1\"): networking.inbound[0].tags[\"kuma.io/service\"]: tag has to exist"
                + " (nothing was applied)\n");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void unknownTypeAndMalformedYamlAreReportedOnOneLineAndNothingIsSent() throws Exception {
    Cli.Result unknown = cli.stdin(MESH + "---\ntype: Foo\nname: x\n").run("apply", "-f", "-");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("Error: document 2 (Foo \"x\"): type: unknown type \"Foo\"");
    assertThat(unknown.err().lines()).hasSize(1);

    Cli.Result malformed = cli.stdin(MESH + "---\ntype: Mesh\nname: [oops\n").run("apply", "-f", "-");
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.err()).startsWith("Error: document 2: invalid YAML at line ");
    assertThat(malformed.err()).endsWith("(nothing was applied)\n");
    assertThat(malformed.err().lines()).hasSize(1);
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void variablesAreSubstitutedBeforeParsing() throws Exception {
    api.on("PUT /meshes/demo/dataplanes/web-2", 201, "{}");
    String template =
        DATAPLANE.replace("name: web-1", "name: {{ name }}").replace("10.0.0.1", "\"{{address}}\"");

    Cli.Result r =
        cli.stdin(template).run("apply", "-f", "-", "-v", "name=web-2", "--var", "address=192.168.1.7");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(api.apiRequests()).extracting(FakeApi.Request::line).containsExactly("PUT /meshes/demo/dataplanes/web-2");
    JsonNode body = json(api.apiRequests().get(0).body());
    assertThat(body.path("name").asText()).isEqualTo("web-2");
    assertThat(body.path("networking").path("address").asText()).isEqualTo("192.168.1.7");
  }

  @Test
  void aPlaceholderWithoutValueIsAnError() {
    Cli.Result r = cli.stdin(DATAPLANE.replace("10.0.0.1", "\"{{ address }}\"")).run("apply", "-f", "-", "-v", "other=1");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: no value for placeholder(s) {{ address }} (pass -v address=VALUE)\n");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void dryRunPrintsTheResolvedResourcesAndSendsNothing() {
    Cli.Result r =
        cli.stdin(MESH + "---\n" + DATAPLANE.replace("10.0.0.1", "\"{{ address }}\""))
            .run("apply", "-f", "-", "--dry-run", "-v", "address=10.9.9.9");

    assertThat(r.code()).as(r.err()).isZero();
    Golden.assertMatches(r.out(), "apply/dry-run.golden.yaml");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void serverRejectionPrintsTitleAndCausesOnOneLine() {
    api.on("PUT /meshes/demo", 201, "{}")
        .on(
            "PUT /meshes/demo/dataplanes/web-1",
            400,
            """
            {"type":"/std-errors","status":400,"title":"Could not process a resource","detail":"Resource is not valid",
             "details":"Resource is not valid",
             "causes":[{"field":"networking.address","message":"must not be 0.0.0.0 or ::"},
                       {"field":"networking.inbound[0].port","message":"port must be in the range from 1 to 65535"}]}
            """);

    Cli.Result r = cli.stdin(MESH + "---\n" + DATAPLANE).run("apply", "-f", "-");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("resource type=\"Mesh\" mesh=\"\" name=\"demo\" Created\n");
    assertThat(r.err())
        .isEqualTo(
            "Error: resource type=\"Dataplane\" mesh=\"demo\" name=\"web-1\": failed server side: Could not process a resource:"
                + " Resource is not valid (networking.address: must not be 0.0.0.0 or ::;"
                + " networking.inbound[0].port: port must be in the range from 1 to 65535)"
                + " (the 1 resource(s) before it were applied)\n");
  }

  @Test
  void directoryAppliesYamlFilesInNameOrder() throws Exception {
    api.on("PUT /meshes/demo", 201, "{}").on("PUT /meshes/demo/dataplanes/web-1", 201, "{}");
    Path dir = Files.createDirectory(home.resolve("resources"));
    Files.writeString(dir.resolve("02-dataplane.yml"), DATAPLANE);
    Files.writeString(dir.resolve("01-mesh.yaml"), MESH);
    Files.writeString(dir.resolve("notes.txt"), "not a resource");

    Cli.Result r = cli.run("apply", "-f", dir.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(api.apiRequests())
        .extracting(FakeApi.Request::line)
        .containsExactly("PUT /meshes/demo", "PUT /meshes/demo/dataplanes/web-1");
  }

  @Test
  void missingFileIsOneLine() {
    Cli.Result r = cli.run("apply", "-f", home.resolve("nope.yaml").toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: cannot read \"" + home.resolve("nope.yaml") + "\": no such file or directory\n");
    assertThat(api.requests()).isEmpty();
  }

  private static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s);
  }
}
