package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line handling that never reaches the network. */
class CommandLineTest {
  @TempDir Path home;

  @Test
  void noArgumentsPrintsUsage() {
    Cli.Result r = new Cli(home).run();

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: kumactl").contains("apply", "get", "delete", "inspect", "config", "version");
  }

  @Test
  void unknownCommandAndFlagAreOneLine() {
    Cli.Result cmd = new Cli(home).run("gte", "meshes");
    assertThat(cmd.code()).isEqualTo(1);
    assertThat(cmd.err()).startsWith("Error: unknown command \"gte\" for \"kumactl\"");
    assertThat(cmd.err().lines()).hasSize(1);

    Cli.Result flag = new Cli(home).run("get", "meshes", "--bogus");
    assertThat(flag.code()).isEqualTo(1);
    assertThat(flag.err()).isEqualTo("Error: unknown flag \"--bogus\" for \"kumactl get\" (see \"kumactl get --help\")\n");
  }

  @Test
  void badGlobalFlagValuesAreOneLine() {
    Cli.Result timeout = new Cli(home).run("--api-timeout", "soon", "get", "meshes");
    assertThat(timeout.code()).isEqualTo(1);
    assertThat(timeout.err()).contains("\"soon\" is not a duration");
    assertThat(timeout.err().lines()).hasSize(1);

    Cli.Result level = new Cli(home).run("get", "meshes", "--log-level", "loud");
    assertThat(level.code()).isEqualTo(1);
    assertThat(level.err()).contains("invalid log level \"loud\" (expected: off, info or debug)");
    assertThat(level.err().lines()).hasSize(1);
  }

  @Test
  void applyNeedsAFile() {
    Cli.Result r = new Cli(home).run("apply");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: Missing required option: '--file=FILE' (see \"kumactl apply --help\")\n");
  }

  @Test
  void emptyStdinIsRefused() {
    Cli.Result r = new Cli(home).stdin("\n\n").run("apply", "-f", "-");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: no resource(s) passed to apply\n");
  }

  @Test
  void dryRunNeedsNoControlPlane() {
    Cli.Result r = new Cli(home).stdin("type: Mesh\nname: demo\n").run("apply", "--dry-run", "-f", "-");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("name: demo\ntype: Mesh\n");
  }

  @Test
  void configViewWithoutAFileShowsKumasDefault() {
    Cli.Result r = new Cli(home).run("config", "view");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            contexts:
            - controlPlane: local
              name: local
            controlPlanes:
            - coordinates:
                apiServer:
                  url: http://localhost:5681
              name: local
            currentContext: local
            """);
  }

  @Test
  void installTransparentProxyIsKumaInitsCommand() {
    Cli.Result dry =
        new Cli(home).run("install", "transparent-proxy", "--dry-run", "--kuma-dp-user", "5678");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("### IPv4 ###", "-N KUMA_MESH_OUTBOUND", "--to-ports 15001");

    Cli.Result bad = new Cli(home).run("uninstall", "transparent-proxy", "--bogus");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err().lines()).hasSize(1);
  }
}
