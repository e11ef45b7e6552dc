package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.testing.Ports;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.testing.EchoServer;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Envoys configured by the DpServer: bytes sent to the client's outbound come back from an
 * echo application behind the backend's inbound, and store changes reach the client's endpoints.
 */
class XdsEnvoyIT {
  private static final Duration ENVOY_START = Duration.ofSeconds(60);
  private static final Duration PROPAGATION = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final List<EnvoyProcess> envoys = new ArrayList<>();
  private DpServer server;
  private EchoServer echo;
  private HttpServer http;

  @BeforeEach
  void start() throws Exception {
    echo = EchoServer.start();
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", exchange -> {
      byte[] body = "hello from web".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    server =
        new DpServer(
            DpServerConfig.defaults().withPort(0).withBindAddress("127.0.0.1").withReconcileDebounce(Duration.ofMillis(5)),
            store,
            Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    envoys.forEach(EnvoyProcess::close);
    server.stop();
    echo.close();
    http.stop(0);
  }

  @Test
  void trafficFlowsThroughBothEnvoysAndFollowsStoreChanges() throws Exception {
    int backendInbound = Ports.free();
    int webInbound = Ports.free();
    int clientOutbound = Ports.free();
    int clientWebOutbound = Ports.free();
    String backendInbounds =
        inbound(backendInbound, echo.port(), "backend", "tcp") + inbound(webInbound, http.getAddress().getPort(), "web", "http");
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    store.create(dataplane("backend", backendInbounds, ""));
    store.create(
        dataplane(
            "client",
            inbound(Ports.free(), Ports.free(), "client", "tcp"),
            "  outbound:\n"
                + "  - port: " + clientOutbound + "\n    tags: {kuma.io/service: backend}\n"
                + "  - port: " + clientWebOutbound + "\n    tags: {kuma.io/service: web}\n"));

    EnvoyProcess backend = startEnvoy("backend");
    EnvoyProcess client = startEnvoy("client");
    await().atMost(ENVOY_START).until(() -> backend.ready() && client.ready());

    // TCP: client outbound -> backend inbound (tcp_proxy) -> echo application.
    await().atMost(PROPAGATION).untilAsserted(() -> assertThat(roundTrip(clientOutbound, "hello mesh")).isEqualTo("hello mesh"));
    assertThat(client.stat("cluster.backend.upstream_cx_total")).isPositive();
    assertThat(backend.stat("cluster.localhost_" + echo.port() + ".upstream_cx_total")).isPositive();
    // HTTP: client outbound -> backend inbound (HTTP connection manager, inbound:web route) -> HTTP application.
    await().atMost(PROPAGATION).untilAsserted(() -> assertThat(httpGet(clientWebOutbound)).isEqualTo("200 hello from web"));
    assertThat(backend.stat("http.localhost_" + http.getAddress().getPort() + ".downstream_rq_total")).isPositive();
    assertThat(server.connectedProxies()).containsExactly("default.backend", "default.client");

    // A further backend inbound becomes a second endpoint of the client's backend cluster.
    int secondInbound = Ports.free();
    Resource current = store.get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend")).orElseThrow();
    Resource withSecond =
        dataplane("backend", backendInbounds + inbound(secondInbound, echo.port(), "backend", "tcp"), "");
    store.update(withSecond.withMeta(current.meta()));

    await().atMost(PROPAGATION).untilAsserted(() ->
        assertThat(client.healthyHosts("backend"))
            .containsExactlyInAnyOrder("127.0.0.1:" + backendInbound, "127.0.0.1:" + secondInbound));
    await().atMost(PROPAGATION).untilAsserted(() -> assertThat(roundTrip(secondInbound, "direct")).isEqualTo("direct"));

    // Deleting the backend Dataplane empties the client's clusters.
    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend"));

    await().atMost(PROPAGATION).untilAsserted(() -> {
      assertThat(client.healthyHosts("backend")).isEmpty();
      assertThat(client.healthyHosts("web")).isEmpty();
    });

    // A proxy that goes away is no longer tracked.
    client.close();
    await().atMost(PROPAGATION).untilAsserted(() -> assertThat(server.connectedProxies()).doesNotContain("default.client"));
  }

  private static String inbound(int port, int servicePort, String service, String protocol) {
    return "  - port: " + port + "\n    servicePort: " + servicePort + "\n    tags: {kuma.io/service: " + service
        + ", kuma.io/protocol: " + protocol + "}\n";
  }

  private static Resource dataplane(String name, String inbounds, String outbounds) {
    return ResourceCodec.parse(
        "type: Dataplane\nmesh: default\nname: " + name + "\nnetworking:\n  address: 127.0.0.1\n  inbound:\n"
            + inbounds + outbounds);
  }

  private EnvoyProcess startEnvoy(String name) throws Exception {
    int adminPort = Ports.free();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/bootstrap"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"mesh\":\"default\",\"name\":\"" + name + "\",\"adminPort\":" + adminPort + "}"))
            .build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode response = Json.mapper().readTree(r.body());
    Path bootstrap = dir.resolve(name + ".bootstrap.yaml");
    Files.write(bootstrap, Base64.getDecoder().decode(response.get("bootstrap").asText()));
    EnvoyProcess envoy = EnvoyProcess.start(bootstrap, adminPort);
    envoys.add(envoy);
    return envoy;
  }

  private static String httpGet(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private static String roundTrip(int port, String text) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[text.length()];
      int read = 0;
      while (read < buf.length) {
        int n = in.read(buf, read, buf.length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      return new String(buf, 0, read, StandardCharsets.UTF_8);
    }
  }
}
