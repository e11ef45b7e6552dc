package io.meshlite.cp.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.CpMain;
import io.meshlite.cp.LoopbackCpEnv;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.config.CpConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wired kuma-cp on SQLite: a real ADS stream (TLS, gRPC) makes its Dataplane Online in {@code
 * /meshes/{mesh}/dataplanes+insights}, closing it makes it Offline, and it all survives a restart.
 */
class InsightsIT {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path work;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ClientFactory grpc = ClientFactory.builder().tlsNoVerify().build();
  private CpMain cp;

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.stop();
    }
    grpc.close();
    http.close();
  }

  private CpMain start() throws Exception {
    Map<String, String> env = LoopbackCpEnv.ephemeralPorts(work);
    env.put("KUMA_GENERAL_WORK_DIR", work.resolve("cp").toString());
    env.put("KUMA_STORE_TYPE", "sqlite");
    env.put("KUMA_STORE_SQLITE_PATH", work.resolve("kuma.db").toString());
    env.put("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none");
    env.put("KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL", "200ms");
    CpConfig config = CpConfigLoader.load(Optional.empty(), env);
    CpMain main = new CpMain(config, Clock.systemUTC());
    main.start();
    return main;
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.restServer().port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private void put(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.restServer().port() + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  /** A minimal Envoy: opens ADS for CDS and ACKs whatever it gets. */
  private final class FakeEnvoy implements AutoCloseable {
    final AtomicInteger responses = new AtomicInteger();
    final StreamObserver<DiscoveryRequest> requests;

    FakeEnvoy(String nodeId) {
      AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub =
          GrpcClients.builder("https://127.0.0.1:" + cp.dpServer().port())
              .factory(grpc)
              .build(AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub.class);
      java.util.concurrent.atomic.AtomicReference<StreamObserver<DiscoveryRequest>> self =
          new java.util.concurrent.atomic.AtomicReference<>();
      requests =
          stub.streamAggregatedResources(
              new StreamObserver<>() {
                @Override
                public void onNext(DiscoveryResponse r) {
                  responses.incrementAndGet();
                  self.get().onNext(
                      DiscoveryRequest.newBuilder()
                          .setTypeUrl(r.getTypeUrl())
                          .setVersionInfo(r.getVersionInfo())
                          .setResponseNonce(r.getNonce())
                          .build());
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
      self.set(requests);
      requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId(nodeId)).setTypeUrl(CDS).build());
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }

  private JsonNode overview(String name) throws Exception {
    return get("/meshes/default/dataplanes+insights/" + name);
  }

  private static boolean online(JsonNode overview) {
    return DataplaneInsights.online(overview.path("dataplaneInsight"));
  }

  @Test
  void aConnectedProxyIsOnlineAndOfflineOnceItsStreamEndsAcrossARestart() throws Exception {
    cp = start();
    put("/meshes/default/dataplanes/web-1",
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"web-1\",\"networking\":{\"address\":\"127.0.0.1\","
            + "\"inbound\":[{\"port\":18080,\"servicePort\":8080,\"tags\":{\"kuma.io/service\":\"web\"}}]}}");
    assertThat(overview("web-1").path("dataplaneInsight").isEmpty()).isTrue();

    FakeEnvoy envoy = new FakeEnvoy("default.web-1");
    await().atMost(WAIT).until(() -> online(overview("web-1")));
    String instance = cp.dpServer().insights().instanceId();
    JsonNode sub = overview("web-1").path("dataplaneInsight").path("subscriptions").get(0);
    assertThat(sub.path("controlPlaneInstanceId").asText()).isEqualTo(instance);
    // the CDS response and its ACK are flushed
    await().atMost(WAIT).until(() -> {
      JsonNode total = overview("web-1").path("dataplaneInsight").path("subscriptions").get(0).path("status").path("total");
      return total.path("responsesSent").asLong() >= 1 && total.path("responsesAcknowledged").asLong() >= 1;
    });
    // mTLS on: the certificate issued to the proxy shows in the insight
    put("/meshes/default",
        "{\"type\":\"Mesh\",\"name\":\"default\",\"mtls\":{\"enabledBackend\":\"ca-1\",\"backends\":[{\"name\":\"ca-1\",\"type\":\"builtin\"}]}}");
    await().atMost(WAIT).until(() -> overview("web-1").path("dataplaneInsight").path("mTLS").path("issuedBackend").asText().equals("ca-1"));
    JsonNode mtls = overview("web-1").path("dataplaneInsight").path("mTLS");
    assertThat(mtls.path("certificateRegenerations").asLong()).isEqualTo(1);
    assertThat(java.time.Instant.parse(mtls.path("certificateExpirationTime").asText()))
        .isAfter(java.time.Instant.parse(mtls.path("lastCertificateRegeneration").asText()));
    JsonNode list = get("/meshes/default/dataplanes+insights");
    assertThat(list.path("total").asInt()).isEqualTo(1);
    assertThat(list.path("items").get(0).path("type").asText()).isEqualTo("DataplaneOverview");
    assertThat(get("/meshes/default/dataplane-insights/web-1").path("type").asText()).isEqualTo("DataplaneInsight");

    envoy.close();
    await().atMost(WAIT).until(() -> !online(overview("web-1")));
    assertThat(overview("web-1").path("dataplaneInsight").path("subscriptions").get(0).hasNonNull("disconnectTime")).isTrue();

    // a new stream: Online again, then the control plane restarts on the same file
    new FakeEnvoy("default.web-1");
    await().atMost(WAIT).until(() -> online(overview("web-1")));
    cp.stop();
    cp = start();
    JsonNode after = overview("web-1");
    assertThat(after.path("dataplaneInsight").path("subscriptions").size()).isEqualTo(2);
    assertThat(online(after)).as("the stream ended with the old process").isFalse();

    try (FakeEnvoy back = new FakeEnvoy("default.web-1")) {
      await().atMost(WAIT).until(() -> online(overview("web-1")));
    }
  }

  @Test
  void subscriptionsACrashedRunLeftOpenAreClosedAtStartAndDeletingTheDataplaneDeletesTheInsight() throws Exception {
    cp = start();
    put("/meshes/default/dataplanes/web-1",
        "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"web-1\",\"networking\":{\"address\":\"127.0.0.1\","
            + "\"inbound\":[{\"port\":18080,\"servicePort\":8080,\"tags\":{\"kuma.io/service\":\"web\"}}]}}");
    String instance = cp.dpServer().insights().instanceId();
    cp.store().create(
        new io.meshlite.api.resource.Resource(
            io.meshlite.api.resource.ResourceTypes.DATAPLANE_INSIGHT, "default", "web-1",
            io.meshlite.api.resource.ResourceMeta.draft(Map.of()),
            (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.mapper()
                    .readTree(
                        "{\"subscriptions\":[{\"id\":\"killed\",\"controlPlaneInstanceId\":\"" + instance
                            + "\",\"connectTime\":\"2026-08-20T09:00:00Z\"}]}")));
    assertThat(online(overview("web-1"))).isTrue();
    cp.stop();

    cp = start();
    assertThat(online(overview("web-1"))).isFalse();
    assertThat(overview("web-1").path("dataplaneInsight").path("subscriptions").get(0).path("id").asText()).isEqualTo("killed");

    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.restServer().port() + "/meshes/default/dataplanes/web-1"))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).isEqualTo(200);
    HttpResponse<String> insight =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.restServer().port() + "/meshes/default/dataplane-insights/web-1"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(insight.statusCode()).isEqualTo(404);
  }
}
