package io.meshlite.agent.testing;

import com.sun.net.httpserver.HttpServer;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.resource.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A dataplane server that answers {@code POST /bootstrap} from a script of answers (the last one
 * repeats) and records the request bodies.
 */
public final class FakeControlPlane implements AutoCloseable {

  /** One scripted answer. */
  public record Answer(int status, String contentType, byte[] body) {
    public static Answer ok(String bootstrapYaml) {
      try {
        byte[] json = Json.mapper().writeValueAsBytes(
            new BootstrapResponse(bootstrapYaml.getBytes(StandardCharsets.UTF_8), null));
        return new Answer(200, "application/json", json);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public static Answer notFound() {
      return new Answer(404, "text/plain", new byte[0]);
    }

    public static Answer pageNotFound() {
      return text(404, "404: Page Not Found");
    }

    public static Answer text(int status, String body) {
      return new Answer(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final HttpServer server;
  private final List<Answer> script = new ArrayList<>();
  private final List<String> requests = new ArrayList<>();
  private final List<String> contentHeaders = new ArrayList<>();

  public FakeControlPlane(Answer... answers) throws IOException {
    script.addAll(List.of(answers));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/bootstrap", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer a;
        synchronized (this) {
          requests.add(body);
          contentHeaders.add(exchange.getRequestMethod() + " accept=" + exchange.getRequestHeaders().getFirst("accept")
              + " content-type=" + exchange.getRequestHeaders().getFirst("content-type"));
          a = script.size() > 1 ? script.remove(0) : script.get(0);
        }
        exchange.getResponseHeaders().set("content-type", a.contentType());
        exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
        if (a.body().length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(a.body());
          }
        }
      }
    });
    server.start();
  }

  /** Replaces what is left of the script. */
  public synchronized void answer(Answer... answers) {
    script.clear();
    script.addAll(List.of(answers));
  }

  public String address() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  /** Per request: method, accept and content-type headers. */
  public synchronized List<String> contentHeaders() {
    return List.copyOf(contentHeaders);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
