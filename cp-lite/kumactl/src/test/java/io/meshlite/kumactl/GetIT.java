package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GetIT extends AgainstFakeApi {
  static final String MESHES =
      """
      {"total":2,"items":[
        {"type":"Mesh","name":"default","creationTime":"2026-08-20T11:58:00Z","modificationTime":"2026-08-20T11:58:00Z"},
        {"type":"Mesh","name":"secure","creationTime":"2026-08-18T09:00:00Z","modificationTime":"2026-08-19T10:00:00Z",
         "labels":{"team":"sec"},
         "mtls":{"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]},
         "routing":{"localityAwareLoadBalancing":true,"zoneEgress":true}}],
       "next":null}
      """;
  static final String DATAPLANES =
      """
      {"total":3,"items":[
        {"type":"Dataplane","mesh":"default","name":"backend-1","creationTime":"2026-08-20T11:59:30Z","modificationTime":"2026-08-20T11:59:30Z",
         "networking":{"address":"10.0.0.2","inbound":[
           {"port":8080,"tags":{"kuma.io/service":"backend","version":"v1","kuma.io/protocol":"http"}},
           {"port":9090,"tags":{"kuma.io/service":"backend-admin","version":"v1"}}]}},
        {"type":"Dataplane","mesh":"default","name":"gateway","creationTime":"2026-07-01T00:00:00Z","modificationTime":"2026-07-01T00:00:00Z",
         "networking":{"address":"10.0.0.9","advertisedAddress":"203.0.113.9","gateway":{"tags":{"kuma.io/service":"edge"}}}},
        {"type":"Dataplane","mesh":"default","name":"web-1","creationTime":"2026-08-20T09:00:00Z","modificationTime":"2026-08-20T09:00:00Z",
         "networking":{"address":"10.0.0.1","inbound":[{"port":80,"tags":{"kuma.io/service":"web"}}]}}],
       "next":"http://127.0.0.1:5681/meshes/default/dataplanes?offset=3&size=3"}
      """;

  @BeforeEach
  void routes() {
    api.on("GET /meshes", 200, MESHES).on("GET /meshes/default/dataplanes", 200, DATAPLANES);
  }

  @Test
  void meshesAsTable() {
    Cli.Result r = cli.run("get", "meshes");

    assertThat(r.code()).as(r.err()).isZero();
    Golden.assertMatches(r.out(), "get/meshes.golden.txt");
    assertThat(api.requests()).extracting(FakeApi.Request::line).containsExactly("GET /meshes");
  }

  @Test
  void meshesAsYamlAndJson() {
    Golden.assertMatches(cli.run("get", "meshes", "-o", "yaml").out(), "get/meshes.golden.yaml");
    Golden.assertMatches(cli.run("get", "-o", "json", "meshes").out(), "get/meshes.golden.json");
  }

  @Test
  void dataplanesAsTableWithPaginationFooter() {
    Cli.Result r = cli.run("get", "dataplanes", "--size", "3");

    assertThat(r.code()).as(r.err()).isZero();
    Golden.assertMatches(r.out(), "get/dataplanes.golden.txt");
    assertThat(api.requests()).extracting(FakeApi.Request::line).containsExactly("GET /meshes/default/dataplanes?size=3");
  }

  @Test
  void meshFlagAndOffsetAreSent() {
    api.on("GET /meshes/other/meshtrafficpermissions", 200,
        """
        {"total":1,"items":[{"type":"MeshTrafficPermission","mesh":"other","name":"allow-all",
          "creationTime":"2026-08-20T10:00:00Z","modificationTime":"2026-08-20T11:00:00Z",
          "spec":{"targetRef":{"kind":"Mesh"}}}],"next":null}
        """);

    Cli.Result r = cli.run("get", "meshtrafficpermissions", "-m", "other", "--offset", "1");

    assertThat(r.code()).as(r.err()).isZero();
    Golden.assertMatches(r.out(), "get/meshtrafficpermissions.golden.txt");
    assertThat(api.requests())
        .extracting(FakeApi.Request::line)
        .containsExactly("GET /meshes/other/meshtrafficpermissions?offset=1");
  }

  @Test
  void oneDataplaneInEveryFormat() {
    api.on("GET /meshes/default/dataplanes/backend-1", 200,
        """
        {"type":"Dataplane","mesh":"default","name":"backend-1","creationTime":"2026-08-20T11:59:30Z","modificationTime":"2026-08-20T11:59:30Z",
         "networking":{"address":"10.0.0.2","inbound":[{"port":8080,"tags":{"kuma.io/service":"backend","version":"v1"}}],
         "outbound":[]}}
        """);

    Golden.assertMatches(cli.run("get", "dataplane", "backend-1").out(), "get/dataplane.golden.txt");
    Golden.assertMatches(cli.run("get", "dataplane", "backend-1", "-o", "yaml").out(), "get/dataplane.golden.yaml");
    Golden.assertMatches(cli.run("get", "dataplane", "backend-1", "-o", "json").out(), "get/dataplane.golden.json");
  }

  @Test
  void globalTypeUsesTopLevelPath() {
    api.on("GET /globalsecrets", 200,
        "{\"total\":1,\"items\":[{\"type\":\"GlobalSecret\",\"name\":\"admin-user-token\",\"modificationTime\":\"2026-08-10T12:00:00Z\",\"data\":\"eA==\"}],\"next\":null}");

    Cli.Result r = cli.run("get", "globalsecrets");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("NAME               AGE\nadmin-user-token   10d\n");
  }

  @Test
  void missingResourceIsKumasMessage() {
    Cli.Result dp = cli.run("get", "dataplane", "nope");
    assertThat(dp.code()).isEqualTo(1);
    assertThat(dp.err()).isEqualTo("Error: No resources found in default mesh\n");

    Cli.Result mesh = cli.run("get", "mesh", "nope");
    assertThat(mesh.code()).isEqualTo(1);
    assertThat(mesh.err()).isEqualTo("Error: No resources found\n");
  }

  @Test
  void listErrorCarriesTheServerTitle() {
    api.on("GET /meshes/ghost/dataplanes", 400,
        "{\"type\":\"/std-errors\",\"status\":400,\"title\":\"Mesh is not found\",\"causes\":[{\"field\":\"mesh\",\"message\":\"mesh of name ghost is not found\"}]}");

    Cli.Result r = cli.run("get", "dataplanes", "-m", "ghost");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("Error: failed to list Dataplane: Mesh is not found (mesh: mesh of name ghost is not found)\n");
  }

  @Test
  void usageErrorsAreOneLine() {
    Cli.Result badFormat = cli.run("get", "meshes", "-o", "xml");
    assertThat(badFormat.code()).isEqualTo(1);
    assertThat(badFormat.err()).isEqualTo("Error: unknown output format \"xml\" (expected: table, yaml or json)\n");

    Cli.Result unknownType = cli.run("get", "widgets");
    assertThat(unknownType.code()).isEqualTo(1);
    assertThat(unknownType.err()).isEqualTo("Error: unknown TYPE \"widgets\" (run \"kumactl get --help\" for the list of types)\n");

    Cli.Result noName = cli.run("get", "dataplane");
    assertThat(noName.code()).isEqualTo(1);
    assertThat(noName.err()).isEqualTo("Error: \"kumactl get dataplane\" needs a NAME; to list them use \"kumactl get dataplanes\"\n");
    assertThat(api.requests()).isEmpty();
  }
}
