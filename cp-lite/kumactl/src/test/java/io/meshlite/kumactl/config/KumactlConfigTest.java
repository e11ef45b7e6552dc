package io.meshlite.kumactl.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KumactlConfigTest {
  @TempDir Path dir;

  private static ObjectNode url(String u) {
    return JsonNodeFactory.instance.objectNode().put("url", u);
  }

  @Test
  void defaultsPointAtLocalhost() {
    KumactlConfig c = KumactlConfig.defaults();

    assertThat(c.currentContext()).isEqualTo("local");
    assertThat(c.current().orElseThrow().url()).isEqualTo("http://localhost:5681");
  }

  @Test
  void removingTheCurrentControlPlaneMovesToTheFirstContextLeft() {
    KumactlConfig c = KumactlConfig.defaults();
    assertThat(c.addControlPlane("a", url("http://a:5681"), false)).isTrue();
    assertThat(c.addControlPlane("b", url("http://b:5681"), false)).isTrue();
    assertThat(c.addControlPlane("b", url("http://b2:5681"), false)).isFalse();
    assertThat(c.currentContext()).isEqualTo("b");

    assertThat(c.removeControlPlane("b")).isTrue();
    assertThat(c.currentContext()).isEqualTo("local");
    assertThat(c.removeControlPlane("b")).isFalse();
    assertThat(c.switchContext("a")).isTrue();
    assertThat(c.switchContext("b")).isFalse();
    assertThat(c.current().orElseThrow().url()).isEqualTo("http://a:5681");
  }

  @Test
  void unknownSettingsSurviveARewriteAndTheFileIsPrivate() throws Exception {
    Path file = dir.resolve("sub").resolve("config");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        controlPlanes:
        - name: prod
          coordinates:
            apiServer:
              url: https://prod:5682
              caCertFile: /etc/ca.pem
              authType: tokens
              authConf:
                token: abc
        contexts:
        - name: prod
          controlPlane: prod
          defaults:
            mesh: payments
        currentContext: prod
        """);
    KumactlConfig c = ConfigFiles.read(file);
    assertThat(KumactlConfig.headers(c.current().orElseThrow())).containsEntry("Authorization", "Bearer abc");

    c.addControlPlane("dev", url("http://dev:5681"), false);
    ConfigFiles.write(file, c);

    var tree = Json.yaml().readTree(Files.readString(file));
    assertThat(tree.at("/controlPlanes/0/coordinates/apiServer/caCertFile").asText()).isEqualTo("/etc/ca.pem");
    assertThat(tree.at("/contexts/0/defaults/mesh").asText()).isEqualTo("payments");
    assertThat(tree.at("/currentContext").asText()).isEqualTo("dev");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void snakeCaseIsReadButUserKeysInsideAuthConfAreLeftAlone() throws Exception {
    KumactlConfig c =
        KumactlConfig.of(
            Json.yaml()
                .readTree(
                    """
                    control_planes:
                    - name: x
                      coordinates:
                        api_server:
                          url: http://x:5681
                          auth_type: tokens
                          auth_conf:
                            token: t
                            some_key: v
                    contexts:
                    - name: x
                      control_plane: x
                    current_context: x
                    """));

    assertThat(c.current().orElseThrow().url()).isEqualTo("http://x:5681");
    assertThat(c.tree().at("/controlPlanes/0/coordinates/apiServer/authConf/some_key").asText()).isEqualTo("v");
  }
}
