package io.meshlite.cp.dpserver.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Self-registration against a memory store, driven through the discovery-server callbacks. */
class DataplaneLifecycleTest {
  private static final Duration DELAY = Duration.ofMillis(300);
  private static final ResourceKey WEB = ResourceKey.of(ResourceTypes.DATAPLANE, "default", "web-1");

  private final MemoryStore store = new MemoryStore(Clock.systemUTC());
  private final DataplaneLifecycle lifecycle = new DataplaneLifecycle(store, DELAY);

  @BeforeEach
  void start() {
    store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
    lifecycle.start();
  }

  @AfterEach
  void stop() {
    lifecycle.stop();
  }

  private static String dataplane(String name, String labels) {
    return """
        {"type":"Dataplane","mesh":"default","name":"%s","labels":{%s},
         "networking":{"address":"127.0.0.1","inbound":[{"port":8080,"tags":{"kuma.io/service":"web"}}]}}"""
        .formatted(name, labels);
  }

  private static DiscoveryRequest request(String nodeId, String resource) {
    Struct.Builder md = Struct.newBuilder();
    if (resource != null) {
      md.putFields(DataplaneLifecycle.RESOURCE_METADATA, Value.newBuilder().setStringValue(resource).build());
    }
    return DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(nodeId).setMetadata(md))
        .setTypeUrl("type.googleapis.com/envoy.config.cluster.v3.Cluster")
        .build();
  }

  private void open(long stream, String nodeId, String resource) throws RequestException {
    lifecycle.callbacks().onV3StreamRequest(stream, request(nodeId, resource));
  }

  private void close(long stream) {
    lifecycle.callbacks().onStreamClose(stream, "");
  }

  @Test
  void registersOnConnectWithItsLabelsAndRemovesAfterTheDelay() throws Exception {
    open(1, "default.web-1", dataplane("web-1", "\"team\":\"a\""));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isPresent());
    assertThat(store.get(WEB).orElseThrow().meta().labels()).containsEntry("team", "a");
    assertThat(lifecycle.registered()).containsExactly("default.web-1");

    long closedAt = System.nanoTime();
    close(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(DELAY);
    assertThat(lifecycle.registered()).isEmpty();
  }

  @Test
  void aReconnectWithinTheDelayKeepsTheDataplane() throws Exception {
    open(1, "default.web-1", dataplane("web-1", ""));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isPresent());
    close(1);
    open(2, "default.web-1", dataplane("web-1", ""));
    // well past the delay: the deregistration was cancelled
    await().during(DELAY.multipliedBy(3)).atMost(DELAY.multipliedBy(5)).until(() -> store.get(WEB).isPresent());
    close(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isEmpty());
  }

  @Test
  void aDataplaneAppliedByAUserIsNeverRemoved() throws Exception {
    store.create(ResourceCodec.parse(dataplane("web-1", "")));
    open(1, "default.web-1", null); // kuma-dp --name/--mesh: no resource in the node
    close(1);
    await().during(DELAY.multipliedBy(3)).atMost(DELAY.multipliedBy(5)).until(() -> store.get(WEB).isPresent());
    assertThat(lifecycle.registered()).isEmpty();
  }

  @Test
  void aDataplaneChangedByAUserAfterRegistrationIsKept() throws Exception {
    open(1, "default.web-1", dataplane("web-1", ""));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isPresent());
    Resource stored = store.get(WEB).orElseThrow();
    store.update(stored.withMeta(stored.meta().withLabels(java.util.Map.of("owner", "kumactl"))));
    close(1);
    await().during(DELAY.multipliedBy(3)).atMost(DELAY.multipliedBy(5)).until(() -> store.get(WEB).isPresent());
    assertThat(store.get(WEB).orElseThrow().meta().labels()).containsEntry("owner", "kumactl");
  }

  @Test
  void aStoppingControlPlaneDeletesNothing() throws Exception {
    open(1, "default.web-1", dataplane("web-1", ""));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(WEB).isPresent());
    lifecycle.stop();
    close(1);
    await().during(DELAY.multipliedBy(3)).atMost(DELAY.multipliedBy(5)).until(() -> store.get(WEB).isPresent());
  }

  @Test
  void aDataplaneForAnotherNodeOrInvalidIsRefused() {
    assertThatThrownBy(() -> open(1, "default.other-1", dataplane("web-1", "")))
        .isInstanceOf(RequestException.class)
        .hasMessageContaining("does not match the node id");
    assertThatThrownBy(() -> open(2, "default.web-1", "{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"web-1\"}"))
        .isInstanceOf(RequestException.class)
        .hasMessageContaining("networking");
    assertThat(store.get(WEB)).isEqualTo(Optional.empty());
  }

  @Test
  void aMissingMeshRegistersNothing() throws Exception {
    open(1, "other.web-1", dataplane("web-1", "").replace("\"mesh\":\"default\"", "\"mesh\":\"other\""));
    await().atMost(Duration.ofSeconds(5)).until(() -> lifecycle.registered().isEmpty());
    assertThat(store.get(ResourceKey.of(ResourceTypes.DATAPLANE, "other", "web-1"))).isEmpty();
  }
}
