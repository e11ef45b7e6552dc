package io.meshlite.agent.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadinessServerIT {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesKumasStatusesAndHeaders() throws Exception {
    AtomicReference<ReadinessServer.Status> status = new AtomicReference<>(ReadinessServer.Status.NOT_READY);
    try (ReadinessServer server = ReadinessServer.start(new InetSocketAddress("127.0.0.1", 0), status::get)) {
      HttpResponse<String> r = get(server.port(), "/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("NOT_READY");
      assertThat(r.headers().firstValue("content-type")).contains("text/plain");
      assertThat(r.headers().firstValue("cache-control")).contains("no-cache, max-age=0");
      assertThat(r.headers().firstValue("x-powered-by")).contains("kuma-dp");

      status.set(ReadinessServer.Status.READY);
      r = get(server.port(), "/ready");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("READY");

      status.set(ReadinessServer.Status.TERMINATING);
      r = get(server.port(), "/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("TERMINATING");

      assertThat(get(server.port(), "/stats").statusCode()).isEqualTo(404);
    }
  }
}
