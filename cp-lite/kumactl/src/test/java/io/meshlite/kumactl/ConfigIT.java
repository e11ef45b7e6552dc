package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigIT {
  @TempDir Path home;
  private FakeApi one;
  private FakeApi two;
  private Cli cli;

  @BeforeEach
  void start() throws Exception {
    one = new FakeApi();
    two = new FakeApi();
    cli = new Cli(home);
  }

  @AfterEach
  void stop() {
    one.close();
    two.close();
  }

  @Test
  void addSwitchRemoveRoundTripInTheConfigFile() throws Exception {
    Cli.Result add1 = cli.run("config", "control-planes", "add", "--name", "one", "--address", one.url());
    assertThat(add1.code()).as(add1.err()).isZero();
    assertThat(add1.out()).isEqualTo("added Control Plane \"one\"\nswitched active Control Plane to \"one\"\n");
    assertThat(one.requests()).extracting(FakeApi.Request::line).containsExactly("GET /");

    Cli.Result add2 = cli.run("config", "control-planes", "add", "--name", "two", "--address", two.url());
    assertThat(add2.code()).as(add2.err()).isZero();

    // The file is Kuma's format: the local default, then both added control planes, "two" current.
    String file = Files.readString(cli.configFile());
    assertThat(file)
        .isEqualTo(
            """
            contexts:
            - controlPlane: local
              name: local
            - controlPlane: one
              name: one
            - controlPlane: two
              name: two
            controlPlanes:
            - coordinates:
                apiServer:
                  url: http://localhost:5681
              name: local
            - coordinates:
                apiServer:
                  url: %s
              name: one
            - coordinates:
                apiServer:
                  url: %s
              name: two
            currentContext: two
            """
                .formatted(one.url(), two.url()));
    assertThat(cli.run("config", "view").out()).isEqualTo(file);

    // Commands talk to the current control plane.
    two.on("GET /meshes", 200, "{\"total\":0,\"items\":[],\"next\":null}");
    assertThat(cli.run("get", "meshes").code()).isZero();
    assertThat(two.apiRequests()).extracting(FakeApi.Request::line).containsExactly("GET /meshes");
    assertThat(one.apiRequests()).isEmpty();

    Cli.Result sw = cli.run("config", "control-planes", "switch", "--name", "one");
    assertThat(sw.out()).isEqualTo("switched active Control Plane to \"one\"\n");
    one.on("GET /meshes", 200, "{\"total\":0,\"items\":[],\"next\":null}");
    assertThat(cli.run("get", "meshes").code()).isZero();
    assertThat(one.apiRequests()).extracting(FakeApi.Request::line).containsExactly("GET /meshes");

    Cli.Result list = cli.run("config", "control-planes", "list");
    assertThat(list.out())
        .isEqualTo(
            ("ACTIVE   NAME    ADDRESS\n"
                    + "         local   http://localhost:5681\n"
                    + "*        one     %s\n"
                    + "         two     %s\n")
                .formatted(one.url(), two.url()));

    Cli.Result rm = cli.run("config", "control-planes", "remove", "--name", "one");
    assertThat(rm.code()).isZero();
    assertThat(rm.out()).isEqualTo("removed Control Plane \"one\"\nswitched active Control Plane to \"local\"\n");
    assertThat(Files.readString(cli.configFile())).doesNotContain(one.url()).contains("currentContext: local");

    assertThat(cli.run("config", "control-planes", "remove", "--name", "local").code()).isZero();
    Cli.Result last = cli.run("config", "control-planes", "remove", "--name", "two");
    assertThat(last.out())
        .endsWith(
            "there is no active Control Plane left. Use `kumactl config control-planes add` to add a Control Plane and make it active\n");
    Cli.Result none = cli.run("get", "meshes");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).startsWith("Error: there is no active Control Plane in ");
  }

  @Test
  void addingAnExistingNameNeedsOverwrite() {
    assertThat(cli.run("config", "control-planes", "add", "--name", "cp", "--address", one.url()).code()).isZero();

    Cli.Result again = cli.run("config", "control-planes", "add", "--name", "cp", "--address", two.url());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo("Error: Control Plane with name \"cp\" already exists. Use --overwrite to replace an existing one.\n");

    Cli.Result over =
        cli.run("config", "control-planes", "add", "--name", "cp", "--address", two.url(), "--overwrite");
    assertThat(over.code()).as(over.err()).isZero();
    assertThat(cli.run("config", "control-planes", "list").out()).contains("*        cp      " + two.url());
  }

  @Test
  void addChecksTheAddressAnswersLikeKuma() throws Exception {
    one.on("GET /", 200, "{\"tagline\":\"Something else\"}");
    Cli.Result notKuma = cli.run("config", "control-planes", "add", "--name", "x", "--address", one.url());
    assertThat(notKuma.code()).isEqualTo(1);
    assertThat(notKuma.err()).startsWith("Error: provided address " + one.url() + " is not a valid Kuma Control Plane API Server");

    Cli.Result bad = cli.run("config", "control-planes", "add", "--name", "x", "--address", "localhost:5681");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("Error: API Server URL is invalid");

    assertThat(cli.configFile()).doesNotExist();
  }

  @Test
  void switchToUnknownNameFails() {
    Cli.Result r = cli.run("config", "control-planes", "switch", "--name", "nope");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: there is no Control Plane with name \"nope\"\n");
  }

  @Test
  void explicitConfigFileIsUsedAndSnakeCaseIsRead() throws Exception {
    Path custom = home.resolve("custom.yaml");
    Files.writeString(
        custom,
        """
        control_planes:
          - name: snake
            coordinates:
              api_server:
                url: %s
                headers:
                - key: X-Team
                  value: mesh
        contexts:
          - name: snake
            control_plane: snake
        current_context: snake
        """
            .formatted(one.url()));
    one.on("GET /meshes", 200, "{\"total\":0,\"items\":[],\"next\":null}");

    Cli.Result r = cli.run("get", "meshes", "--config-file", custom.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(one.apiRequests()).extracting(FakeApi.Request::line).containsExactly("GET /meshes");

    Cli.Result missing = cli.run("--config-file", home.resolve("nope").toString(), "get", "meshes");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("Error: configuration file \"" + home.resolve("nope") + "\" does not exist (check --config-file)\n");
  }
}
