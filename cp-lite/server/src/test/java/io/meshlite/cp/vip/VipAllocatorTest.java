package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The allocator against a memory store, driven directly ({@code sync}, {@code sweep}) or by events. */
class VipAllocatorTest {
  private static final Duration GRACE = Duration.ofMinutes(5);

  private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T10:00:00Z"));
  private final ResourceStore store = new MemoryStore(clock);
  private final VipSettings settings = new VipSettings(Ipv4Cidr.parse("240.0.0.0/4"), GRACE, Duration.ofHours(1));
  private final VipAllocator allocator = new VipAllocator(store, clock, settings);

  @AfterEach
  void stop() {
    allocator.stop();
  }

  private void mesh(String name) {
    store.create(ResourceCodec.parse("type: Mesh\nname: " + name + "\n"));
  }

  private void dataplane(String mesh, String name, String... services) {
    StringBuilder inbounds = new StringBuilder();
    int port = 8080;
    for (String s : services) {
      inbounds.append("  - port: ").append(port++).append("\n    tags: {kuma.io/service: ").append(s).append("}\n");
    }
    store.create(
        ResourceCodec.parse(
            "type: Dataplane\nmesh: " + mesh + "\nname: " + name + "\nnetworking:\n  address: 10.0.0.1\n  inbound:\n"
                + inbounds));
  }

  private Map<String, String> vips(String mesh) {
    return store.get(VipNames.configKey(mesh)).map(VipTable::fromConfig).orElse(VipTable.EMPTY).addresses();
  }

  @Test
  void everyServiceOfEveryMeshGetsAVipStoredInKumasConfig() {
    mesh("default");
    mesh("other");
    dataplane("default", "backend-1", "backend", "admin");
    dataplane("default", "web-1", "web");
    dataplane("other", "backend-1", "backend");

    allocator.sweep();

    assertThat(vips("default"))
        .containsExactly(
            Map.entry("admin", "240.0.0.1"), Map.entry("backend", "240.0.0.2"), Map.entry("web", "240.0.0.3"));
    assertThat(vips("other")).containsExactly(Map.entry("backend", "240.0.0.1"));
    Resource stored = store.get(ResourceKey.of(ResourceTypes.CONFIG, "", "kuma-default-dns-vips")).orElseThrow();
    assertThat(stored.spec().get("config").asText()).startsWith("{\"0:admin\":{\"address\":\"240.0.0.1\"");
  }

  @Test
  void vipsSurviveANewAllocatorOnTheSameStore() {
    mesh("default");
    dataplane("default", "web-1", "web");
    dataplane("default", "db-1", "db");
    allocator.sweep();
    Map<String, String> before = vips("default");
    long version = store.get(VipNames.configKey("default")).orElseThrow().meta().version();

    VipAllocator restarted = new VipAllocator(store, clock, settings);
    dataplane("default", "api-1", "api");
    restarted.sync("default");

    assertThat(vips("default")).containsAllEntriesOf(before).containsEntry("api", "240.0.0.3");
    restarted.sync("default");
    assertThat(store.get(VipNames.configKey("default")).orElseThrow().meta().version()).isEqualTo(version + 1);
  }

  @Test
  void aVipIsReleasedOnlyAfterTheGracePeriod() {
    mesh("default");
    dataplane("default", "backend-1", "backend");
    dataplane("default", "web-1", "web");
    allocator.sweep();

    store.delete(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend-1"));
    allocator.sync("default");
    assertThat(vips("default")).containsEntry("backend", "240.0.0.1");

    clock.advance(GRACE.minusSeconds(1));
    allocator.sync("default");
    assertThat(vips("default")).containsEntry("backend", "240.0.0.1");

    clock.advance(Duration.ofSeconds(1));
    allocator.sync("default");
    assertThat(vips("default")).containsOnlyKeys("web");
  }

  @Test
  void theTableGoesWithItsMesh() {
    mesh("gone");
    dataplane("gone", "a-1", "a");
    allocator.sweep();
    assertThat(store.get(VipNames.configKey("gone"))).isPresent();

    store.delete(ResourceKey.of(ResourceTypes.MESH_TYPE, "", "gone"));
    allocator.sweep();

    assertThat(store.get(VipNames.configKey("gone"))).isEmpty();
  }

  @Test
  void anUnreadableTableIsLeftAlone() {
    mesh("default");
    dataplane("default", "a-1", "a");
    store.create(ResourceCodec.parse("type: Config\nname: kuma-default-dns-vips\nconfig: 'not json'\n"));

    allocator.sync("default");

    assertThat(store.get(VipNames.configKey("default")).orElseThrow().spec().get("config").asText())
        .isEqualTo("not json");
  }

  @Test
  void storeEventsDriveAllocationOnceStarted() {
    mesh("default");
    allocator.start();
    await().atMost(Duration.ofSeconds(5)).until(allocator::ready);

    dataplane("default", "backend-1", "backend");

    await().atMost(Duration.ofSeconds(5)).until(() -> vips("default").containsKey("backend"));
    dataplane("default", "web-1", "web");
    await().atMost(Duration.ofSeconds(5)).until(() -> vips("default").containsKey("web"));
    assertThat(vips("default")).containsEntry("backend", "240.0.0.1").containsEntry("web", "240.0.0.2");
  }
}
