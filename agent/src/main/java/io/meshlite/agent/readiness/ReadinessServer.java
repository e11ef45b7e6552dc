package io.meshlite.agent.readiness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves {@code GET /ready} with {@code READY} (200), {@code NOT_READY} (503) or {@code TERMINATING}
 * (503) and Kuma's headers ({@code content-type: text/plain}, {@code cache-control: no-cache,
 * max-age=0}, {@code x-powered-by: kuma-dp}). Any other path is 404. Built on the JDK's HTTP server;
 * requests are answered on its dispatcher thread (each is one short admin call), so it adds no
 * dependency and no thread pool.
 */
public final class ReadinessServer implements AutoCloseable {

  /** What {@code /ready} reports. */
  public enum Status {
    READY(200),
    NOT_READY(503),
    TERMINATING(503);

    private final int httpStatus;

    Status(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final HttpServer server;

  private ReadinessServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Binds and starts the server.
   *
   * @param status asked on every request
   * @throws IOException when the address cannot be bound (e.g. the port is in use)
   */
  public static ReadinessServer start(InetSocketAddress bind, Supplier<Status> status) throws IOException {
    HttpServer server = HttpServer.create(bind, 16);
    server.createContext("/", exchange -> handle(exchange, status));
    server.start();
    return new ReadinessServer(server);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void handle(HttpExchange exchange, Supplier<Status> status) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/ready")) {
        respond(exchange, 404, "not found");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("allow", "GET, HEAD");
        respond(exchange, 405, "method not allowed");
        return;
      }
      Status s = status.get();
      respond(exchange, s.httpStatus(), s.name());
    }
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "text/plain");
    exchange.getResponseHeaders().set("cache-control", "no-cache, max-age=0");
    exchange.getResponseHeaders().set("x-powered-by", "kuma-dp");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
