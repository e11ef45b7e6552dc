package io.meshlite.agent.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays Envoy's admin API for drain tests driven by stand-in Envoys: records calls and reports a
 * settable number of active connections on one inbound listener.
 */
public final class FakeEnvoyAdmin implements AutoCloseable {
  private final HttpServer server;
  private final List<String> calls = new ArrayList<>();
  public final AtomicLong activeConnections = new AtomicLong();
  public final AtomicLong controlPlaneConnected = new AtomicLong();

  public FakeEnvoyAdmin() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      try (exchange) {
        String q = exchange.getRequestURI().getRawQuery();
        String path = exchange.getRequestURI().getPath();
        synchronized (calls) {
          calls.add(exchange.getRequestMethod() + " " + path + (q == null ? "" : "?" + q));
        }
        String body = switch (path) {
          case "/ready" -> "LIVE\n";
          case "/listeners" -> "{\"listener_statuses\":[{\"name\":\"inbound:127.0.0.1:15006\",\"local_address\":"
              + "{\"socket_address\":{\"address\":\"127.0.0.1\",\"port_value\":15006}}},"
              + "{\"name\":\"outbound:10.0.0.1:80\",\"local_address\":"
              + "{\"socket_address\":{\"address\":\"10.0.0.1\",\"port_value\":80}}}]}";
          case "/stats" -> "listener.127.0.0.1_15006.downstream_cx_active: " + activeConnections.get() + "\n"
              + "listener.127.0.0.1_15006.worker_0.downstream_cx_active: " + activeConnections.get() + "\n"
              + "listener.10.0.0.1_80.downstream_cx_active: 7\n"
              + "control_plane.connected_state: " + controlPlaneConnected.get() + "\n";
          default -> "OK\n";
        };
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** A bootstrap whose admin address is this fake. */
  public String bootstrap() {
    return "node: {id: default.dp-1}\nadmin:\n  address:\n    socket_address: {address: 127.0.0.1, port_value: "
        + port() + "}\n";
  }

  public List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
