package io.meshlite.cp.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The recorder against a memory store, driven through the discovery-server callbacks. */
class InsightRecorderTest {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final ResourceKey WEB_INSIGHT = DataplaneInsights.insightKey("default", "web-1");
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private InsightRecorder recorder = new InsightRecorder(store, Clock.systemUTC(), "host-5678", Duration.ofMillis(100));

  @BeforeEach
  void start() {
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
  }

  @AfterEach
  void stop() {
    recorder.stop();
  }

  private void dataplane(String name) {
    store.create(
        ResourceCodec.parse(
            "type: Dataplane\nmesh: default\nname: " + name
                + "\nnetworking: {address: 127.0.0.1, inbound: [{port: 80, tags: {kuma.io/service: web}}]}\n"));
  }

  private static DiscoveryRequest first(String nodeId) {
    Struct version =
        Struct.newBuilder()
            .putFields("kumaDp", Value.newBuilder().setStructValue(Struct.newBuilder().putFields("version", str("0.1.0"))).build())
            .putFields("envoy", Value.newBuilder().setStructValue(Struct.newBuilder().putFields("version", str("1.36.2"))).build())
            .build();
    return DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(nodeId).setMetadata(Struct.newBuilder().putFields("version", Value.newBuilder().setStructValue(version).build())))
        .setTypeUrl(CDS)
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private void open(long stream, String nodeId) {
    request(stream, first(nodeId));
  }

  private void request(long stream, DiscoveryRequest r) {
    try {
      recorder.callbacks().onV3StreamRequest(stream, r);
    } catch (RequestException e) {
      throw new AssertionError(e);
    }
  }

  private void respond(long stream, String typeUrl, String nonce) {
    recorder.callbacks().onV3StreamResponse(
        stream,
        DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).build(),
        DiscoveryResponse.newBuilder().setTypeUrl(typeUrl).setNonce(nonce).build());
  }

  private void answer(long stream, String typeUrl, String nonce, boolean ack) {
    DiscoveryRequest.Builder r = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).setResponseNonce(nonce);
    if (!ack) {
      r.setErrorDetail(Status.newBuilder().setMessage("bad listener"));
    }
    request(stream, r.build());
  }

  private JsonNode subscriptions() {
    return store.get(WEB_INSIGHT).map(i -> i.spec().path("subscriptions")).orElse(Json.mapper().createArrayNode());
  }

  @Test
  void aStreamIsASubscriptionOpenUntilItCloses() {
    dataplane("web-1");
    recorder.start();
    open(1, "default.web-1");

    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    JsonNode sub = subscriptions().get(0);
    assertThat(sub.path("id").asText()).isNotEmpty();
    assertThat(sub.path("controlPlaneInstanceId").asText()).isEqualTo("host-5678");
    assertThat(sub.hasNonNull("connectTime")).isTrue();
    assertThat(sub.has("disconnectTime")).isFalse();
    assertThat(sub.path("version").path("kumaDp").path("version").asText()).isEqualTo("0.1.0");
    assertThat(sub.path("version").path("envoy").path("version").asText()).isEqualTo("1.36.2");
    assertThat(DataplaneInsights.online(store.get(WEB_INSIGHT).orElseThrow().spec())).isTrue();

    recorder.callbacks().onStreamClose(1, CDS);

    await().atMost(WAIT).until(() -> subscriptions().get(0).hasNonNull("disconnectTime"));
    assertThat(subscriptions().get(0).path("id").asText()).isEqualTo(sub.path("id").asText());
    assertThat(DataplaneInsights.online(store.get(WEB_INSIGHT).orElseThrow().spec())).isFalse();
  }

  @Test
  void responsesAndTheirAcksAndNacksAreCountedAndFlushed() {
    dataplane("web-1");
    recorder = new InsightRecorder(store, Clock.systemUTC(), "host-5678", Duration.ofSeconds(1));
    recorder.start();
    open(1, "default.web-1");
    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    long writesAfterConnect = recorder.writes();

    respond(1, CDS, "1");
    answer(1, CDS, "1", true);
    respond(1, LDS, "2");
    answer(1, LDS, "2", false);
    respond(1, LDS, "3");
    answer(1, LDS, "3", true);

    await().atMost(WAIT).until(() -> subscriptions().get(0).path("status").path("total").path("responsesSent").asText().equals("3"));
    JsonNode status = subscriptions().get(0).path("status");
    assertThat(status.path("total").path("responsesAcknowledged").asText()).isEqualTo("2");
    assertThat(status.path("total").path("responsesRejected").asText()).isEqualTo("1");
    assertThat(status.path("cds").path("responsesSent").asText()).isEqualTo("1");
    assertThat(status.path("lds").path("responsesSent").asText()).isEqualTo("2");
    assertThat(status.path("lds").path("responsesRejected").asText()).isEqualTo("1");
    assertThat(status.hasNonNull("lastUpdateTime")).isTrue();
    // six events, coalesced into the next flush (two if a flush fell among them), none once nothing changes
    long writes = recorder.writes();
    assertThat(writes - writesAfterConnect).isBetween(1L, 2L);
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> recorder.writes() == writes);
  }

  @Test
  void aDeltaStreamIsASubscriptionWithItsAcksAndNacksCounted() throws Exception {
    dataplane("web-1");
    recorder = new InsightRecorder(store, Clock.systemUTC(), "host-5678", Duration.ofSeconds(1));
    recorder.start();
    DiscoveryRequest sotw = first("default.web-1");
    var callbacks = recorder.callbacks();
    callbacks.onV3StreamDeltaRequest(
        7,
        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setNode(sotw.getNode()).setTypeUrl(CDS).build());
    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    assertThat(subscriptions().get(0).path("version").path("envoy").path("version").asText()).isEqualTo("1.36.2");

    for (String nonce : List.of("1", "2")) {
      callbacks.onV3StreamDeltaResponse(
          7,
          io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.getDefaultInstance(),
          io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse.newBuilder().setTypeUrl(LDS).setNonce(nonce).build());
    }
    callbacks.onV3StreamDeltaRequest(
        7,
        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setNode(sotw.getNode()).setTypeUrl(LDS).setResponseNonce("1")
            .setErrorDetail(Status.newBuilder().setMessage("bad listener")).build());
    callbacks.onV3StreamDeltaRequest(
        7,
        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder()
            .setNode(sotw.getNode()).setTypeUrl(LDS).setResponseNonce("2").build());

    await().atMost(WAIT).until(() -> subscriptions().get(0).path("status").path("lds").path("responsesSent").asText().equals("2"));
    JsonNode status = subscriptions().get(0).path("status");
    assertThat(status.path("lds").path("responsesAcknowledged").asText()).isEqualTo("1");
    assertThat(status.path("lds").path("responsesRejected").asText()).isEqualTo("1");

    callbacks.onStreamCloseWithError(7, LDS, new RuntimeException("gone"));
    await().atMost(WAIT).until(() -> subscriptions().get(0).hasNonNull("disconnectTime"));
  }

  @Test
  void aProxyWhoseDataplaneAppearsLaterIsRecordedThen() {
    recorder.start();
    open(1, "default.web-1");
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> store.get(WEB_INSIGHT).isEmpty());

    dataplane("web-1");

    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    assertThat(subscriptions().get(0).has("disconnectTime")).isFalse();
  }

  @Test
  void withoutADataplaneNothingIsStoredAndDeletingTheDataplaneDeletesTheInsight() {
    recorder.start();
    open(1, "default.ghost");
    recorder.callbacks().onStreamClose(1, CDS);
    dataplane("web-1");
    open(2, "default.web-1");
    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    assertThat(store.get(DataplaneInsights.insightKey("default", "ghost"))).isEmpty();

    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "web-1"));

    assertThat(store.get(WEB_INSIGHT)).isEmpty();
  }

  @Test
  void reconnectsAddSubscriptionsKeepingTheNewest() {
    dataplane("web-1");
    recorder.start();
    for (long stream = 1; stream <= 3; stream++) {
      open(stream, "default.web-1");
      recorder.callbacks().onStreamClose(stream, CDS);
    }
    open(4, "default.web-1");

    await().atMost(WAIT).until(() -> subscriptions().size() == DataplaneInsights.SUBSCRIPTION_LIMIT
        && !subscriptions().get(1).has("disconnectTime"));
    assertThat(subscriptions().get(0).hasNonNull("disconnectTime")).isTrue();
    assertThat(DataplaneInsights.online(store.get(WEB_INSIGHT).orElseThrow().spec())).isTrue();
  }

  @Test
  void startClosesWhatThisInstanceLeftOpenAndNothingElse() throws Exception {
    dataplane("web-1");
    dataplane("web-2");
    store.create(insight("web-1", "host-5678"));
    store.create(insight("web-2", "other-5678"));

    recorder.start();

    assertThat(subscriptions().get(0).hasNonNull("disconnectTime")).isTrue();
    JsonNode other = store.get(DataplaneInsights.insightKey("default", "web-2")).orElseThrow().spec();
    assertThat(DataplaneInsights.online(other)).isTrue();
  }

  @Test
  void aStoppingRecorderWritesTheDisconnectsOfStreamsClosedBeforeIt() {
    dataplane("web-1");
    recorder.start();
    open(1, "default.web-1");
    recorder.callbacks().onStreamClose(1, CDS);
    recorder.stop();

    assertThat(subscriptions()).hasSize(1);
    assertThat(subscriptions().get(0).hasNonNull("disconnectTime")).isTrue();
  }

  private static Resource insight(String name, String instance) throws Exception {
    return new Resource(
        ResourceTypes.DATAPLANE_INSIGHT, "default", name, ResourceMeta.draft(Map.of()),
        (com.fasterxml.jackson.databind.node.ObjectNode)
            Json.mapper()
                .readTree(
                    "{\"subscriptions\":[{\"id\":\"old\",\"controlPlaneInstanceId\":\"" + instance
                        + "\",\"connectTime\":\"2026-08-20T09:00:00Z\"}]}"));
  }


  @Test
  void issuedCertificatesAreRecordedInMtlsAndCountedAcrossWrites() {
    dataplane("web-1");
    recorder.start();
    open(1, "default.web-1");
    await().atMost(WAIT).until(() -> subscriptions().size() == 1);
    java.time.Instant t1 = java.time.Instant.parse("2026-08-20T10:00:00Z");

    recorder.certificateIssued("default.web-1", "ca-1", t1, t1.plus(Duration.ofHours(24)));
    await().atMost(WAIT).until(() -> store.get(WEB_INSIGHT).orElseThrow().spec().has("mTLS"));
    JsonNode m = store.get(WEB_INSIGHT).orElseThrow().spec().path("mTLS");
    assertThat(m.path("issuedBackend").asText()).isEqualTo("ca-1");
    assertThat(m.path("supportedBackends").get(0).asText()).isEqualTo("ca-1");
    assertThat(m.path("lastCertificateRegeneration").asText()).isEqualTo("2026-08-20T10:00:00Z");
    assertThat(m.path("certificateExpirationTime").asText()).isEqualTo("2026-08-21T10:00:00Z");
    assertThat(m.path("certificateRegenerations").asLong()).isEqualTo(1);

    java.time.Instant t2 = t1.plus(Duration.ofHours(19));
    recorder.certificateIssued("default.web-1", "ca-1", t2, t2.plus(Duration.ofHours(24)));
    await().atMost(WAIT).until(
        () -> store.get(WEB_INSIGHT).orElseThrow().spec().path("mTLS").path("certificateRegenerations").asLong() == 2);
    assertThat(store.get(WEB_INSIGHT).orElseThrow().spec().path("mTLS").path("lastCertificateRegeneration").asText())
        .isEqualTo("2026-08-21T05:00:00Z");
    // later writes (the disconnect) keep the count
    recorder.callbacks().onStreamClose(1, CDS);
    await().atMost(WAIT).until(() -> subscriptions().get(0).hasNonNull("disconnectTime"));
    assertThat(store.get(WEB_INSIGHT).orElseThrow().spec().path("mTLS").path("certificateRegenerations").asLong()).isEqualTo(2);
  }
}
