package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.testing.Ports;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * The mTLS shapes real Envoy must accept beyond the TCP/STRICT path of the end-to-end suite: a
 * PERMISSIVE HTTP inbound (tls_inspector, three filter chains, HTTP RBAC) and the switch to STRICT.
 */
class MtlsEnvoyIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final List<EnvoyProcess> envoys = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private DpServer server;
  private HttpServer app;

  @BeforeEach
  void start() throws Exception {
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext("/", exchange -> {
      byte[] body = "hello from backend".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    app.start();
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
    app.stop(0);
    store.close();
  }

  @Test
  void permissiveHttpInboundAcceptsBothAndRbacAppliesToMeshTraffic() throws Exception {
    int backendInbound = Ports.free();
    int clientOutbound = Ports.free();
    setMesh("PERMISSIVE");
    store.create(mtp("allow-client", "{kind: Mesh}", "Allow"));
    store.create(
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: backend
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags: {kuma.io/service: backend, kuma.io/protocol: http}
            """
                .formatted(backendInbound, app.getAddress().getPort())));
    store.create(
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: client
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                tags: {kuma.io/service: client}
              outbound:
              - port: %d
                tags: {kuma.io/service: backend}
            """
                .formatted(Ports.free(), clientOutbound)));
    EnvoyProcess backend = startEnvoy("backend");
    EnvoyProcess clientEnvoy = startEnvoy("client");
    await().atMost(WAIT).until(() -> backend.ready() && clientEnvoy.ready());

    // Mesh traffic (mTLS, ALPN kuma) and plaintext are both accepted in PERMISSIVE mode.
    await().atMost(WAIT).until(() -> get(clientOutbound).equals("200 hello from backend"));
    assertThat(backend.stat("listener.127.0.0.1_" + backendInbound + ".ssl.handshake")).isPositive();
    assertThat(get(backendInbound)).isEqualTo("200 hello from backend");

    // A Deny for the client: HTTP RBAC answers 403 to mesh traffic; plaintext has no RBAC chain.
    store.create(mtp("deny-client", "{kind: MeshService, name: backend}", "Deny"));
    String stat = "http.localhost_" + app.getAddress().getPort() + ".rbac.denied";
    await().atMost(WAIT).until(() -> get(clientOutbound).startsWith("403"));
    assertThat(backend.stat(stat)).isPositive();
    assertThat(get(backendInbound)).isEqualTo("200 hello from backend");

    // STRICT: plaintext is no longer accepted.
    setMesh("STRICT");
    await().atMost(WAIT).until(() -> get(backendInbound).startsWith("-1"));
    assertThat(get(clientOutbound)).startsWith("403");
  }

  private void setMesh(String mode) {
    Resource mesh =
        ResourceCodec.parse(
            "type: Mesh\nname: default\nmtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\n"
                + "    mode: " + mode + "\n");
    store.get(mesh.key()).ifPresentOrElse(m -> store.update(mesh.withMeta(m.meta())), () -> store.create(mesh));
  }

  private static Resource mtp(String name, String targetRef, String action) {
    return ResourceCodec.parse(
        """
        type: MeshTrafficPermission
        mesh: default
        name: %s
        spec:
          targetRef: %s
          from:
          - targetRef: {kind: MeshService, name: client}
            default: {action: %s}
        """
            .formatted(name, targetRef, action));
  }

  private String get(int port) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (IOException e) {
      return "-1 " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "-1 interrupted";
    }
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
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode response = Json.mapper().readTree(r.body());
    Path bootstrap = dir.resolve(name + ".bootstrap.yaml");
    Files.write(bootstrap, Base64.getDecoder().decode(response.get("bootstrap").asText()));
    EnvoyProcess envoy = EnvoyProcess.start(bootstrap, adminPort);
    envoys.add(envoy);
    return envoy;
  }
}
