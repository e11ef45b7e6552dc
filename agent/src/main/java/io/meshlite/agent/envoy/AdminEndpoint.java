package io.meshlite.agent.envoy;

import io.meshlite.agent.support.YamlValues;
import io.meshlite.api.json.JsonText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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
    String text = new String(bootstrap, StandardCharsets.UTF_8);
    Object root;
    try {
      // kuma-cp answers JSON; Kuma's control plane answers YAML.
      root = text.stripLeading().startsWith("{") ? JsonText.parse(text) : YamlValues.readOne(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("the Envoy bootstrap does not parse: " + e.getMessage(), e);
    }
    Object address = JsonText.get(root, "admin", "address");
    if (!(address instanceof Map)) {
      return Optional.empty();
    }
    Object socket = field(address, "socket_address", "socketAddress");
    if (socket instanceof Map) {
      String host = JsonText.get(socket, "address") instanceof String a ? a : "127.0.0.1";
      int port = port(field(socket, "port_value", "portValue"));
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
    if (JsonText.get(address, "pipe", "path") instanceof String pipe && !pipe.isEmpty()) {
      return Optional.of(new Unix(Path.of(pipe)));
    }
    return Optional.empty();
  }

  private static Object field(Object n, String snake, String camel) {
    Object v = JsonText.get(n, snake);
    return v != null ? v : JsonText.get(n, camel);
  }

  /** A port as a number or, as protobuf JSON may write integers, a string of digits; 0 otherwise. */
  private static int port(Object v) {
    try {
      long p = v instanceof Long l ? l : v instanceof String s ? Long.parseLong(s) : 0;
      return p > 0 && p <= 65535 ? (int) p : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
