package io.meshlite.cp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.rest.IndexResponse;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.config.CpConfigLoader;
import io.meshlite.cp.diagnostics.Metrics;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.memory.MemoryStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A REST server on 127.0.0.1 and a free port, with a memory store and a JDK HTTP client. */
final class RestFixture implements AutoCloseable {
  final MemoryStore store = new MemoryStore(Clock.systemUTC());
  final ResourceManager manager;
  final RestServer server;
  final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  /** A response: status and parsed JSON body (null when the body is not JSON). */
  record Reply(int status, JsonNode json, String raw) {}

  RestFixture(Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putIfAbsent("KUMA_API_SERVER_HTTP_PORT", "0");
    all.putIfAbsent("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    all.putIfAbsent("HOME", "/tmp");
    CpConfig config = CpConfigLoader.load(Optional.empty(), all);
    manager = new ResourceManager(store, ResourceManager.Settings.from(config.store()));
    manager.ensureDefaultMesh();
    server =
        new RestServer(
            config,
            manager,
            new IndexResponse("test-host", "Kuma", "0.1.0", "test-host-abcd", "cluster-1", "none", "2.14.3"),
            new Metrics());
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Reply getUrl(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  Reply put(String path, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply put(String path, byte[] body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  Reply delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  Reply method(String method, String path) {
    return send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  URI uri(String path) {
    return URI.create(base() + path);
  }

  Reply send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = r.body().isEmpty() ? null : Json.mapper().readTree(r.body());
      } catch (IOException e) {
        json = null;
      }
      return new Reply(r.statusCode(), json, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
    client.close();
  }
}
