package io.meshlite.tests.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A plain application for end-to-end tests: an HTTP server on {@code 0.0.0.0:<port>} that answers
 * every request with {@code <text>} and the caller's address. Usage: {@code HelloHttpMain <port>
 * <text>}.
 */
public final class HelloHttpMain {
  private HelloHttpMain() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    String text = args[1];
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 50);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              (text + " (caller " + exchange.getRemoteAddress().getAddress().getHostAddress() + ")\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    System.out.println("listening on 0.0.0.0:" + port);
  }
}
