package io.meshlite.cp.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DiagnosticsServerIT {

  @Test
  void readyFollowsTheComponentsHealthyAlwaysAndMetricsAreServed() throws Exception {
    AtomicReference<List<String>> waiting = new AtomicReference<>(List.of("rest-api"));
    Metrics metrics = new Metrics();
    metrics.counter("things_total", "Things.").inc();
    DiagnosticsServer server = new DiagnosticsServer("127.0.0.1", 0, waiting::get, metrics);
    server.start();
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> notReady = get(client, server, "/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("rest-api");
      assertThat(get(client, server, "/healthy").statusCode()).isEqualTo(200);

      waiting.set(List.of());
      assertThat(get(client, server, "/ready").statusCode()).isEqualTo(200);

      HttpResponse<String> scrape = get(client, server, "/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(scrape.body()).contains("# TYPE things_total counter\nthings_total 1\n");
    } finally {
      server.stop();
    }
    assertThat(server.ready()).isFalse();
  }

  private static HttpResponse<String> get(HttpClient client, DiagnosticsServer server, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
