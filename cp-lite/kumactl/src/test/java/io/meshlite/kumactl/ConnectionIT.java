package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionIT {
  @TempDir Path home;

  @Test
  void connectionRefusedSaysWhereAndWhatToCheck() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    Cli cli = new Cli(home).controlPlane(url);

    Cli.Result r = cli.run("get", "meshes");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "Error: could not connect to the control plane at " + url + ": connection refused (is kuma-cp running at "
                + url + "?)\n");
  }

  @Test
  void withoutAConfigFileTheDefaultAddressIsUsed() {
    Cli.Result r = new Cli(home).run("--api-timeout", "5s", "config", "control-planes", "list");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("ACTIVE   NAME    ADDRESS\n*        local   http://localhost:5681\n");
  }

  @Test
  void versionReportsAnUnreachableServerWithoutFailing() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Cli.Result r = new Cli(home).controlPlane("http://127.0.0.1:" + port).run("version");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("Client: Kuma " + io.meshlite.api.Versions.VERSION + "\n");
    assertThat(r.err()).startsWith("Unable to connect to control plane: could not connect");
  }
}
