package io.meshlite.agent.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/** Where Envoy's admin API listens: a TCP address or a Unix socket, as the bootstrap says. */
public sealed interface AdminEndpoint {

  /** The address to connect to. */
  SocketAddress socketAddress();

  /** Admin over TCP, e.g. 127.0.0.1:9901. */
  record Tcp(String host, int port) implements AdminEndpoint {
    @Override
    public SocketAddress socketAddress() {
      return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Admin over a Unix domain socket (Kuma 2.14's default). */
  record Unix(Path path) implements AdminEndpoint {
    @Override
    public SocketAddress socketAddress() {
      return UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
      return "unix:" + path;
    }
  }

  /**
   * Reads {@code admin.address} from an Envoy bootstrap (YAML or JSON, snake_case or camelCase).
   * An unspecified bind address (0.0.0.0, ::) is reached over loopback.
   *
   * @return empty when the bootstrap has no admin address
   * @throws IOException when the document does not parse
   */
  static Optional<AdminEndpoint> fromBootstrap(byte[] bootstrap) throws IOException {
    JsonNode root = Json.yaml().readTree(bootstrap);
    JsonNode address = root == null ? null : root.path("admin").path("address");
    if (address == null || !address.isObject()) {
      return Optional.empty();
    }
    JsonNode socket = field(address, "socket_address", "socketAddress");
    if (socket.isObject()) {
      String host = socket.path("address").asText("127.0.0.1");
      int port = field(socket, "port_value", "portValue").asInt(0);
      if (port <= 0) {
        return Optional.empty();
      }
      if (host.isEmpty() || host.equals("0.0.0.0")) {
        host = "127.0.0.1";
      } else if (host.equals("::")) {
        host = "::1";
      }
      return Optional.of(new Tcp(host, port));
    }
    JsonNode pipe = address.path("pipe").path("path");
    if (pipe.isTextual() && !pipe.asText().isEmpty()) {
      return Optional.of(new Unix(Path.of(pipe.asText())));
    }
    return Optional.empty();
  }

  private static JsonNode field(JsonNode n, String snake, String camel) {
    JsonNode v = n.get(snake);
    return v != null ? v : n.path(camel);
  }
}
