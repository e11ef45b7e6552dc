package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeleteIT extends AgainstFakeApi {
  @Test
  void deletesInTheGivenMesh() {
    api.on("DELETE /meshes/prod/dataplanes/web-1", 200, "{}");

    Cli.Result r = cli.run("delete", "dataplane", "web-1", "-m", "prod");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("deleted Dataplane \"web-1\"\n");
    assertThat(api.requests()).extracting(FakeApi.Request::line).containsExactly("DELETE /meshes/prod/dataplanes/web-1");
  }

  @Test
  void deletesGlobalTypes() {
    api.on("DELETE /meshes/demo", 200, "{}");

    Cli.Result r = cli.run("delete", "mesh", "demo");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("deleted Mesh \"demo\"\n");
  }

  @Test
  void notFoundIsOneLine() {
    Cli.Result r = cli.run("delete", "meshtrafficpermission", "ghost");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo("Error: there is no MeshTrafficPermission with name \"ghost\" in mesh \"default\"\n");
    assertThat(api.requests())
        .extracting(FakeApi.Request::line)
        .containsExactly("DELETE /meshes/default/meshtrafficpermissions/ghost");
  }

  @Test
  void readOnlyTypeIsRefusedLocally() {
    Cli.Result r = cli.run("delete", "dataplane-insight", "x");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: TYPE: dataplane-insight is readOnly, can't use it for write action\n");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void missingNameIsAUsageError() {
    Cli.Result r = cli.run("delete", "dataplane");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("Error: Missing required parameter: 'NAME'");
  }
}
