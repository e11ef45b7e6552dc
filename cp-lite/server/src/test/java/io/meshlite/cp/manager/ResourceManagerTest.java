package io.meshlite.cp.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ResourceManagerTest {
  private static final ResourceManager.Settings SETTINGS = new ResourceManager.Settings(false, 5, Duration.ZERO);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final MemoryStore store = new MemoryStore(clock);
  private final ResourceManager manager = new ResourceManager(store, SETTINGS);

  @Test
  void validationReportsEveryProblemWithItsFieldPath() {
    manager.ensureDefaultMesh();
    Resource dp =
        ResourceCodec.parse(
            """
            type: Dataplane
            mesh: default
            name: web-1
            networking:
              address: 10.0.0.1
              inbound:
                - port: 8080
                  tags:
                    app: web
                - port: 70000
                  tags:
                    kuma.io/service: web
                    kuma.io/protocol: smtp
            """);

    assertThatThrownBy(() -> manager.upsert(dp))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.violations())
                    .extracting(Violation::field)
                    .containsExactly(
                        "networking.inbound[0].tags[\"kuma.io/service\"]",
                        "networking.inbound[1].port",
                        "networking.inbound[1].tags[\"kuma.io/protocol\"]"));
    assertThat(store.list(ResourceTypes.DATAPLANE, null)).isEmpty();
  }

  @Test
  void meshScopedResourceNeedsItsMesh() {
    assertThatThrownBy(() -> manager.upsert(dataplane("other", "web-1")))
        .isInstanceOfSatisfying(
            ManagerException.MeshNotFound.class,
            e -> {
              assertThat(e.mesh()).isEqualTo("other");
              assertThat(e.getMessage()).isEqualTo("mesh of name other is not found");
            });
    assertThat(store.list(ResourceTypes.DATAPLANE, null)).isEmpty();
  }

  @Test
  void validationComesBeforeTheMeshCheck() {
    Resource invalid =
        ResourceCodec.parse(
            "type: Dataplane\nmesh: nowhere\nname: x\nnetworking:\n  address: 1.1.1.1\n  inbound: [{port: 1}]\n");
    assertThatThrownBy(() -> manager.upsert(invalid)).isInstanceOf(ValidationException.class);
  }

  @Test
  void upsertCreatesThenUpdatesKeepingCreationTime() {
    UpsertResult created = manager.upsert(mesh("m1"));
    assertThat(created.created()).isTrue();
    assertThat(created.resource().meta().version()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(5));
    UpsertResult updated = manager.upsert(mesh("m1"));

    assertThat(updated.created()).isFalse();
    Resource stored = manager.get(ResourceTypes.MESH_TYPE, "", "m1").orElseThrow();
    assertThat(stored.meta().version()).isEqualTo(2);
    assertThat(stored.meta().creationTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(stored.meta().modificationTime()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
  }

  @Test
  void upsertRetriesOnAConcurrentChange() {
    manager.ensureDefaultMesh();
    manager.upsert(dataplane("default", "web-1"));
    InterferingStore racing = new InterferingStore(store, 2);
    ResourceManager m = new ResourceManager(racing, SETTINGS);

    UpsertResult r = m.upsert(dataplane("default", "web-1"));

    assertThat(r.created()).isFalse();
    assertThat(racing.conflicts.get()).isEqualTo(2);
    // 1 (create) + 2 interfering writes + ours.
    assertThat(store.get(r.resource().key()).orElseThrow().meta().version()).isEqualTo(4);
  }

  @Test
  void upsertGivesUpWithConflictAfterTheConfiguredRetries() {
    manager.ensureDefaultMesh();
    manager.upsert(dataplane("default", "web-1"));
    InterferingStore racing = new InterferingStore(store, Integer.MAX_VALUE);
    ResourceManager m = new ResourceManager(racing, new ResourceManager.Settings(false, 3, Duration.ZERO));

    assertThatThrownBy(() -> m.upsert(dataplane("default", "web-1"))).isInstanceOf(StoreException.Conflict.class);
    assertThat(racing.conflicts.get()).isEqualTo(4);
  }

  @Test
  void updateUsesTheCallersVersionForOptimisticLocking() {
    Resource v1 = manager.create(mesh("m1"));
    manager.upsert(mesh("m1"));

    assertThatThrownBy(() -> manager.update(v1)).isInstanceOf(StoreException.Conflict.class);
  }

  @Test
  void listPagesInMeshThenNameOrder() {
    for (String m : List.of("m5", "m3", "m1", "m4", "m2")) {
      manager.upsert(mesh(m));
    }

    Page first = manager.list(ResourceTypes.MESH_TYPE, null, ListQuery.parse("2", null, null, Map.of()));
    assertThat(first.items()).extracting(Resource::name).containsExactly("m1", "m2");
    assertThat(first.total()).isEqualTo(5);
    assertThat(first.nextOffset()).hasValue(2);

    Page last = manager.list(ResourceTypes.MESH_TYPE, null, ListQuery.parse("2", "4", null, Map.of()));
    assertThat(last.items()).extracting(Resource::name).containsExactly("m5");
    assertThat(last.nextOffset()).isEmpty();

    Page beyond = manager.list(ResourceTypes.MESH_TYPE, null, ListQuery.parse("2", "9", null, Map.of()));
    assertThat(beyond.items()).isEmpty();
    assertThat(beyond.total()).isEqualTo(5);
  }

  @Test
  void crossMeshListIsSortedByMeshThenName() {
    manager.upsert(mesh("b"));
    manager.upsert(mesh("a"));
    manager.upsert(dataplane("b", "x"));
    manager.upsert(dataplane("a", "y"));
    manager.upsert(dataplane("a", "x"));

    Page all = manager.list(ResourceTypes.DATAPLANE, null, ListQuery.all());
    assertThat(all.items()).extracting(r -> r.mesh() + "/" + r.name()).containsExactly("a/x", "a/y", "b/x");
    Page inB = manager.list(ResourceTypes.DATAPLANE, "b", ListQuery.all());
    assertThat(inB.items()).extracting(Resource::name).containsExactly("x");
  }

  @Test
  void invalidPageParametersAreRejectedLikeKuma() {
    assertThatThrownBy(() -> ListQuery.parse("abc", null, null, Map.of()))
        .isInstanceOfSatisfying(
            ManagerException.InvalidPage.class,
            e -> {
              assertThat(e.field()).isEqualTo("size");
              assertThat(e.detail()).isEqualTo("Invalid page size");
            });
    assertThatThrownBy(() -> ListQuery.parse("2000", null, null, Map.of()))
        .hasMessage("Invalid page size of 2000, max page size is 1000");
    assertThatThrownBy(() -> ListQuery.parse("0", null, null, Map.of()))
        .isInstanceOf(ManagerException.InvalidPage.class);
    assertThatThrownBy(() -> ListQuery.parse(null, "invalid", null, Map.of()))
        .isInstanceOfSatisfying(
            ManagerException.InvalidPage.class,
            e -> {
              assertThat(e.field()).isEqualTo("offset");
              assertThat(e.detail()).isEqualTo("Invalid offset");
            });
    assertThatThrownBy(() -> ListQuery.parse(null, "-1", null, Map.of()))
        .isInstanceOf(ManagerException.InvalidPage.class);
    assertThat(ListQuery.parse(null, null, null, Map.of()).size()).isEqualTo(100);
  }

  @Test
  void nameAndLabelFilters() {
    manager.ensureDefaultMesh();
    manager.upsert(dataplane("default", "web-1", Map.of("team", "a")));
    manager.upsert(dataplane("default", "web-2", Map.of("team", "b")));
    manager.upsert(dataplane("default", "db-1", Map.of("team", "a")));

    assertThat(manager.list(ResourceTypes.DATAPLANE, "default", new ListQuery(10, 0, "web", Map.of())).items())
        .extracting(Resource::name)
        .containsExactly("web-1", "web-2");
    assertThat(manager.list(ResourceTypes.DATAPLANE, "default", new ListQuery(10, 0, "", Map.of("team", "a"))).items())
        .extracting(Resource::name)
        .containsExactly("db-1", "web-1");
    Page both = manager.list(ResourceTypes.DATAPLANE, "default", new ListQuery(10, 0, "web", Map.of("team", "a")));
    assertThat(both.items()).extracting(Resource::name).containsExactly("web-1");
    assertThat(both.total()).isEqualTo(1);
    assertThat(
            manager
                .list(ResourceTypes.DATAPLANE, null, new ListQuery(10, 0, "", Map.of("kuma.io/mesh", "default")))
                .total())
        .isEqualTo(3);
  }

  @Test
  void computedLabelsAreSetAndCannotBeSpoofed() {
    manager.ensureDefaultMesh();
    manager.upsert(
        dataplane("default", "web-1", Map.of("team", "a", "kuma.io/env", "kubernetes", "kuma.io/mesh", "other")));

    Resource dp = manager.get(ResourceTypes.DATAPLANE, "default", "web-1").orElseThrow();
    assertThat(dp.meta().labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "team", "a",
                "kuma.io/display-name", "web-1",
                "kuma.io/mesh", "default",
                "kuma.io/origin", "zone",
                "kuma.io/env", "universal"));
    Resource mesh = manager.get(ResourceTypes.MESH_TYPE, "", "default").orElseThrow();
    assertThat(mesh.meta().labels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("kuma.io/display-name", "default", "kuma.io/origin", "zone"));
  }

  @Test
  void deletingAMeshWithDataplanesIsRefusedUnlessUnsafe() {
    manager.ensureDefaultMesh();
    manager.upsert(dataplane("default", "web-1"));

    assertThatThrownBy(() -> manager.delete(ResourceTypes.MESH_TYPE, "", "default"))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        new Violation("mesh", "unable to delete mesh, there are still some dataplanes attached")));
    assertThat(manager.meshExists("default")).isTrue();

    new ResourceManager(store, new ResourceManager.Settings(true, 5, Duration.ZERO))
        .delete(ResourceTypes.MESH_TYPE, "", "default");
    assertThat(manager.meshExists("default")).isFalse();
    assertThat(store.list(ResourceTypes.DATAPLANE, null)).isEmpty();
  }

  @Test
  void deletingAMeshCascadesToItsPolicies() {
    manager.upsert(mesh("m1"));
    manager.upsert(mesh("m2"));
    manager.upsert(policy("m1", "allow-all"));
    manager.upsert(policy("m2", "allow-all"));

    manager.delete(ResourceTypes.MESH_TYPE, "", "m1");

    assertThat(store.list(ResourceTypes.MESH_TRAFFIC_PERMISSION, null)).extracting(Resource::mesh).containsExactly("m2");
    assertThatThrownBy(() -> manager.delete(ResourceTypes.MESH_TYPE, "", "m1"))
        .isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void defaultMeshIsCreatedOnce() {
    assertThat(manager.ensureDefaultMesh()).isTrue();
    assertThat(manager.ensureDefaultMesh()).isFalse();
    assertThat(store.list(ResourceTypes.MESH_TYPE, null)).extracting(Resource::name).containsExactly("default");
  }

  @Test
  void changingTheCaWhileMtlsIsOnIsRefused() {
    manager.upsert(meshWithBackend("m1", "ca-1", "ca-1"));
    assertThatThrownBy(() -> manager.upsert(meshWithBackend("m1", "ca-2", "ca-2")))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("mtls.enabledBackend"));
    manager.upsert(mesh("m1"));
    manager.upsert(meshWithBackend("m1", "ca-2", "ca-2"));
  }

  // ---------------------------------------------------------------- fixtures

  private static Resource mesh(String name) {
    return ResourceCodec.parse("type: Mesh\nname: " + name + "\n");
  }

  private static Resource meshWithBackend(String name, String backend, String enabled) {
    return ResourceCodec.parse(
        "type: Mesh\nname: "
            + name
            + "\nmtls:\n  enabledBackend: "
            + enabled
            + "\n  backends:\n    - name: "
            + backend
            + "\n      type: builtin\n");
  }

  private static Resource dataplane(String mesh, String name) {
    return dataplane(mesh, name, Map.of());
  }

  private static Resource dataplane(String mesh, String name, Map<String, String> labels) {
    StringBuilder l = new StringBuilder();
    labels.forEach((k, v) -> l.append("  ").append(k).append(": ").append(v).append('\n'));
    return ResourceCodec.parse(
        "type: Dataplane\nmesh: "
            + mesh
            + "\nname: "
            + name
            + "\n"
            + (labels.isEmpty() ? "" : "labels:\n" + l)
            + "networking:\n  address: 10.0.0.1\n  inbound:\n    - port: 8080\n      tags:\n        kuma.io/service: web\n");
  }

  private static Resource policy(String mesh, String name) {
    return ResourceCodec.parse(
        "type: MeshTrafficPermission\nmesh: "
            + mesh
            + "\nname: "
            + name
            + "\nspec:\n  targetRef:\n    kind: Mesh\n  from:\n    - targetRef: {kind: Mesh}\n      default: {action: Allow}\n");
  }

  /** A clock tests move by hand. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * A store that, before each of the first {@code times} updates, lets "another writer" update the
   * same resource, so the caller's version is stale.
   */
  private static final class InterferingStore implements ResourceStore {
    private final ResourceStore delegate;
    private final int times;
    final AtomicInteger conflicts = new AtomicInteger();

    InterferingStore(ResourceStore delegate, int times) {
      this.delegate = delegate;
      this.times = times;
    }

    @Override
    public Resource update(Resource r) {
      if (conflicts.get() < times) {
        Resource current = delegate.get(r.key()).orElseThrow();
        delegate.update(current);
        conflicts.incrementAndGet();
      }
      return delegate.update(r);
    }

    @Override
    public Resource create(Resource resource) {
      return delegate.create(resource);
    }

    @Override
    public void delete(ResourceKey key) {
      delegate.delete(key);
    }

    @Override
    public Optional<Resource> get(ResourceKey key) {
      return delegate.get(key);
    }

    @Override
    public List<Resource> list(ResourceType type, String mesh) {
      return delegate.list(type, mesh);
    }

    @Override
    public Subscription subscribe(Consumer<StoreEvent> listener) {
      return delegate.subscribe(listener);
    }
  }
}
