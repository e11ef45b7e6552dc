package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AdminEndpointTest {

  private static AdminEndpoint parse(String doc) throws Exception {
    return AdminEndpoint.fromBootstrap(doc.getBytes(StandardCharsets.UTF_8)).orElse(null);
  }

  @Test
  void readsSnakeAndCamelCaseYamlAndJson() throws Exception {
    assertThat(parse("admin:\n  address:\n    socket_address: {address: 127.0.0.1, port_value: 9901}\n"))
        .isEqualTo(new AdminEndpoint.Tcp("127.0.0.1", 9901));
    assertThat(parse("admin:\n  address:\n    socketAddress:\n      address: 127.0.0.1\n      portValue: 9911\n"))
        .isEqualTo(new AdminEndpoint.Tcp("127.0.0.1", 9911));
    assertThat(parse("{\"admin\":{\"address\":{\"socketAddress\":{\"address\":\"0.0.0.0\",\"portValue\":1}}}}"))
        .isEqualTo(new AdminEndpoint.Tcp("127.0.0.1", 1));
  }

  @Test
  void readsAUnixSocket() throws Exception {
    assertThat(parse("admin:\n  address:\n    pipe: {path: /tmp/kuma-dp-1/kuma-envoy-admin.sock, mode: 384}\n"))
        .isEqualTo(new AdminEndpoint.Unix(Path.of("/tmp/kuma-dp-1/kuma-envoy-admin.sock")));
  }

  @Test
  void noAdminIsEmpty() throws Exception {
    assertThat(parse("node: {id: x}\n")).isNull();
    assertThat(parse("admin: {}\n")).isNull();
  }
}
