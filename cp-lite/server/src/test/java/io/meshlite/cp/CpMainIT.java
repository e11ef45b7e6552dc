package io.meshlite.cp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.config.CpConfigLoader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wired control plane on free loopback ports. */
class CpMainIT {

  private static CpConfig config(Map<String, String> extra) {
    Map<String, String> env = LoopbackCpEnv.ephemeralPorts(Path.of("/tmp"));
    env.putAll(extra);
    return CpConfigLoader.load(Optional.empty(), env);
  }

  @Test
  void startsServesAndStops() throws Exception {
    CpMain cp = new CpMain(config(Map.of()), Clock.systemUTC());
    assertThat(cp.notReady())
        .containsExactly(
            "diagnostics-server", "ca-ensurer", "security", "vip-allocator", "dp-server", "rest-api");
    cp.start();
    int api = cp.restServer().port();
    try (HttpClient client = HttpClient.newHttpClient()) {
      assertThat(cp.notReady()).isEmpty();
      assertThat(status(client, "http://127.0.0.1:" + cp.diagnostics().port() + "/ready")).isEqualTo(200);
      HttpResponse<String> index = get(client, "http://127.0.0.1:" + api + "/");
      assertThat(index.body()).contains("\"product\":\"Kuma\"");
      assertThat(status(client, "http://127.0.0.1:" + api + "/meshes/default")).isEqualTo(200);
      String metrics = get(client, "http://127.0.0.1:" + cp.diagnostics().port() + "/metrics").body();
      assertThat(metrics).contains("store_events_total{kind=\"created\",type=\"Mesh\"} 1");
      assertThat(metrics).contains("api_server_http_requests_total{method=\"GET\",status_code=\"200\"}");
    } finally {
      cp.stop();
    }
    try (HttpClient client = HttpClient.newHttpClient()) {
      assertThatThrownBy(() -> get(client, "http://127.0.0.1:" + api + "/")).hasCauseInstanceOf(ConnectException.class);
    }
  }

  @Test
  void skipMeshCreationLeavesTheStoreEmpty() throws Exception {
    CpMain cp = new CpMain(config(Map.of("KUMA_DEFAULTS_SKIP_MESH_CREATION", "true")), Clock.systemUTC());
    cp.start();
    try {
      assertThat(cp.store().list(ResourceTypes.MESH_TYPE, null)).isEmpty();
    } finally {
      cp.stop();
    }
  }

  @Test
  void aComponentThatCannotStartStopsTheOnesAlreadyStarted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CpMain cp =
          new CpMain(
              config(Map.of("KUMA_API_SERVER_HTTP_PORT", Integer.toString(taken.getLocalPort()))),
              Clock.systemUTC());
      assertThatThrownBy(cp::start).isNotNull();
      assertThat(cp.diagnostics().ready()).isFalse();
      assertThat(cp.notReady()).contains("diagnostics-server", "rest-api");
    }
  }

  private static int status(HttpClient client, String url) throws Exception {
    return get(client, url).statusCode();
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
