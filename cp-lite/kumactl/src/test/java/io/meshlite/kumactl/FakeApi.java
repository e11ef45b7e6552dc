package io.meshlite.kumactl;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An in-process stand-in for kuma-cp's REST API on an ephemeral loopback port: answers are set per
 * {@code "METHOD /path?query"} (or {@code "METHOD /path"}), every request is recorded, and anything
 * not set answers 404 with Kuma's error body.
 */
final class FakeApi implements AutoCloseable {
  /** One recorded request. */
  record Request(String method, String uri, String body) {
    String line() {
      return method + " " + uri;
    }
  }

  /** One canned answer. */
  record Answer(int status, String body) {}

  static final String NOT_FOUND =
      "{\"type\":\"/std-errors\",\"status\":404,\"title\":\"Not found\",\"detail\":\"Not found\",\"details\":\"Not found\"}";

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
    on("GET /", 200, "{\"hostname\":\"test\",\"tagline\":\"Kuma\",\"product\":\"Kuma\",\"version\":\"0.1.0\",\"instanceId\":\"i-1\",\"clusterId\":\"c-1\",\"basedOnKuma\":\"2.14.3\"}");
  }

  /** The base URL, e.g. {@code http://127.0.0.1:34567}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sets the answer to {@code "METHOD /path[?query]"}. */
  FakeApi on(String key, int status, String body) {
    answers.put(key, new Answer(status, body));
    return this;
  }

  /** Every request received, in order (the check of the address by {@code config add} included). */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests other than {@code GET /}. */
  List<Request> apiRequests() {
    return requests.stream().filter(r -> !r.line().equals("GET /")).toList();
  }

  void clear() {
    requests.clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String uri = ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
    Request req = new Request(ex.getRequestMethod(), uri, body);
    requests.add(req);
    Answer a = answers.get(req.line());
    if (a == null) {
      a = answers.get(req.method() + " " + ex.getRequestURI().getRawPath());
    }
    if (a == null) {
      a = new Answer(404, NOT_FOUND);
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
