package io.meshlite.cp.store;

import static io.meshlite.cp.store.StoreEvent.Kind.CREATED;
import static io.meshlite.cp.store.StoreEvent.Kind.DELETED;
import static io.meshlite.cp.store.StoreEvent.Kind.UPDATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ResourceStore} must do. A store test extends this class and opens a fresh,
 * empty store in {@link #openStore(Clock)}. Events may arrive asynchronously (Postgres), so event
 * assertions wait.
 */
public abstract class ResourceStoreContract {
  protected static final ResourceType MESH = ResourceTypes.MESH_TYPE;
  protected static final ResourceType DATAPLANE = ResourceTypes.DATAPLANE;
  protected static final ResourceType MTP = ResourceTypes.MESH_TRAFFIC_PERMISSION;
  protected static final ResourceType ZONE = ResourceTypes.byName("Zone").orElseThrow();
  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  protected final MutableClock clock = new MutableClock(START);
  protected ResourceStore store;

  /** A new, empty store that reads time from {@code clock}. */
  protected abstract ResourceStore openStore(Clock clock) throws Exception;

  /** How long to wait for events. */
  protected Duration eventTimeout() {
    return Duration.ofSeconds(10);
  }

  @BeforeEach
  void openFreshStore() throws Exception {
    store = openStore(clock);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---- create / get ----

  @Test
  void createStoresVersionOneAndTheStoreTimes() {
    Resource created = store.create(mesh("demo"));

    assertThat(created.meta().version()).isEqualTo(1);
    assertThat(created.meta().creationTime()).isEqualTo(START);
    assertThat(created.meta().modificationTime()).isEqualTo(START);
    assertThat(store.get(created.key())).contains(created);
  }

  @Test
  void createIgnoresTheVersionAndTimesItIsGiven() {
    Resource given =
        dataplane("default", "dp-1")
            .withMeta(
                new ResourceMeta(
                    7, Instant.parse("2001-01-01T00:00:00Z"), Instant.EPOCH, Map.of()));

    Resource created = store.create(given);

    assertThat(created.meta().version()).isEqualTo(1);
    assertThat(created.meta().creationTime()).isEqualTo(START);
    assertThat(store.get(given.key()).orElseThrow().meta()).isEqualTo(created.meta());
  }

  @Test
  void duplicateCreateFailsAndKeepsTheFirst() {
    store.create(dataplane("default", "dp-1").withSpec(spec("{\"v\":1}")));

    assertThatThrownBy(() -> store.create(dataplane("default", "dp-1").withSpec(spec("{\"v\":2}"))))
        .isInstanceOf(StoreException.AlreadyExists.class)
        .hasMessageContaining("Dataplane/default/dp-1");
    assertThat(store.get(key(DATAPLANE, "default", "dp-1")).orElseThrow().spec())
        .isEqualTo(spec("{\"v\":1}"));
  }

  @Test
  void getOfMissingOrUnknownTypeIsEmpty() {
    store.create(mesh("default"));

    assertThat(store.get(key(DATAPLANE, "default", "nope"))).isEmpty();
    assertThat(store.get(new ResourceKey("NoSuchType", "", "default"))).isEmpty();
  }

  // ---- update ----

  @Test
  void updateBumpsVersionKeepsCreationTimeAndAdvancesModificationTime() {
    Resource current = store.create(dataplane("default", "dp-1"));
    for (int i = 2; i <= 4; i++) {
      Instant t = clock.advance(Duration.ofSeconds(7));
      current = store.update(current.withSpec(spec("{\"round\":" + i + "}")));

      assertThat(current.meta().version()).isEqualTo(i);
      assertThat(current.meta().creationTime()).isEqualTo(START);
      assertThat(current.meta().modificationTime()).isEqualTo(t);
      assertThat(store.get(current.key())).contains(current);
    }
  }

  @Test
  void updateWithAStaleVersionConflictsAndChangesNothing() {
    Resource v1 = store.create(dataplane("default", "dp-1").withSpec(spec("{\"a\":1}")));
    Resource v2 = store.update(v1.withSpec(spec("{\"a\":2}")));

    assertThatThrownBy(() -> store.update(v1.withSpec(spec("{\"a\":3}"))))
        .isInstanceOf(StoreException.Conflict.class)
        .hasMessageContaining("Dataplane/default/dp-1");
    assertThat(store.get(v1.key())).contains(v2);
  }

  @Test
  void updateOfMissingIsNotFound() {
    Resource draft =
        dataplane("default", "ghost").withMeta(ResourceMeta.draft(Map.of()).withVersion(1));

    assertThatThrownBy(() -> store.update(draft)).isInstanceOf(StoreException.NotFound.class);
    assertThat(store.get(draft.key())).isEmpty();
  }

  // ---- delete ----

  @Test
  void deleteRemovesAndARecreateStartsAgainAtVersionOne() {
    Resource v1 = store.create(dataplane("default", "dp-1"));
    store.update(v1);

    store.delete(v1.key());

    assertThat(store.get(v1.key())).isEmpty();
    assertThat(store.create(dataplane("default", "dp-1")).meta().version()).isEqualTo(1);
  }

  @Test
  void deleteOfMissingIsNotFound() {
    assertThatThrownBy(() -> store.delete(key(DATAPLANE, "default", "nope")))
        .isInstanceOf(StoreException.NotFound.class)
        .hasMessageContaining("Dataplane/default/nope");
    assertThatThrownBy(() -> store.delete(key(MESH, "", "nope")))
        .isInstanceOf(StoreException.NotFound.class);
  }

  // ---- list ----

  @Test
  void listSortsByMeshThenName() {
    store.create(mesh("a"));
    store.create(mesh("b"));
    List<String[]> keys =
        new ArrayList<>(
            List.of(
                new String[] {"b", "a"},
                new String[] {"a", "z"},
                new String[] {"a", "B-upper"},
                new String[] {"a", "a_1"},
                new String[] {"a", "a.1"},
                new String[] {"a", "a-1"},
                new String[] {"a", "a10"},
                new String[] {"a", "a9"},
                new String[] {"b", "0"}));
    Collections.shuffle(keys, new Random(42));
    keys.forEach(k -> store.create(dataplane(k[0], k[1])));

    List<String> all =
        store.list(DATAPLANE, null).stream().map(r -> r.mesh() + "/" + r.name()).toList();
    List<String> expected =
        keys.stream().map(k -> k[0] + "/" + k[1]).sorted().toList(); // Java String order
    assertThat(all).containsExactlyElementsOf(expected);
    assertThat(store.list(MESH, null)).extracting(Resource::name).containsExactly("a", "b");
  }

  @Test
  void listFiltersByTypeAndMesh() {
    store.create(mesh("a"));
    store.create(mesh("b"));
    store.create(dataplane("a", "dp-1"));
    store.create(dataplane("a", "dp-2"));
    store.create(dataplane("b", "dp-1"));
    store.create(policy("a", "allow"));

    assertThat(store.list(DATAPLANE, "a"))
        .extracting(Resource::name)
        .containsExactly("dp-1", "dp-2");
    assertThat(store.list(DATAPLANE, "b")).extracting(Resource::name).containsExactly("dp-1");
    assertThat(store.list(DATAPLANE, "c")).isEmpty();
    assertThat(store.list(MTP, null))
        .extracting(Resource::key)
        .containsExactly(key(MTP, "a", "allow"));
    assertThat(store.list(ZONE, null)).isEmpty();
    assertThat(store.list(DATAPLANE, "a").get(0).meta().version()).isEqualTo(1);
  }

  @Test
  void globalAndMeshScopedKeysAreDistinct() {
    store.create(mesh("shared"));
    store.create(zone("shared"));
    store.create(dataplane("shared", "shared"));
    store.create(globalSecret("shared"));
    store.create(secret("shared", "shared"));

    assertThat(store.get(key(MESH, "", "shared"))).isPresent();
    assertThat(store.get(key(ZONE, "", "shared"))).isPresent();
    assertThat(store.get(key(DATAPLANE, "shared", "shared"))).isPresent();
    assertThat(store.get(key(ResourceTypes.GLOBAL_SECRET, "", "shared"))).isPresent();
    assertThat(store.get(key(ResourceTypes.SECRET, "shared", "shared"))).isPresent();

    store.delete(key(ZONE, "", "shared"));
    store.delete(key(ResourceTypes.GLOBAL_SECRET, "", "shared"));

    assertThat(store.get(key(MESH, "", "shared"))).isPresent();
    assertThat(store.get(key(DATAPLANE, "shared", "shared"))).isPresent();
    assertThat(store.get(key(ResourceTypes.SECRET, "shared", "shared"))).isPresent();
  }

  // ---- round trips ----

  @Test
  void labelsRoundTripAndAreReplacedOnUpdate() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kuma.io/zone", "zone-1");
    labels.put("team", "Zürich ☃ 東京");
    labels.put("empty", "");
    Resource created =
        store.create(dataplane("default", "dp-1").withMeta(ResourceMeta.draft(labels)));

    assertThat(created.meta().labels()).isEqualTo(labels);
    assertThat(store.get(created.key()).orElseThrow().meta().labels()).isEqualTo(labels);
    assertThat(store.list(DATAPLANE, "default").get(0).meta().labels()).isEqualTo(labels);

    Resource updated =
        store.update(created.withMeta(created.meta().withLabels(Map.of("only", "this"))));
    assertThat(store.get(created.key()).orElseThrow().meta().labels())
        .isEqualTo(Map.of("only", "this"));

    store.update(updated.withMeta(updated.meta().withLabels(Map.of())));
    assertThat(store.get(created.key()).orElseThrow().meta().labels()).isEmpty();
  }

  @Test
  void specRoundTripsExactly() throws JsonProcessingException {
    String text =
        "{\"networking\":{\"address\":\"10.0.0.1\",\"inbound\":[{\"port\":8080,\"tags\":"
            + "{\"kuma.io/service\":\"web\",\"version\":\"v1\"}},{\"port\":0}],\"admin\":{}},"
            + "\"numbers\":{\"int\":42,\"negative\":-7,\"long\":9007199254740993,"
            + "\"big\":123456789012345678901234567890,\"decimal\":0.1,\"exp\":1.5E-7,"
            + "\"zero\":0,\"ratio\":99.99},"
            + "\"flags\":[true,false,null],\"empty\":[],\"nested\":{\"a\":{\"b\":{\"c\":[[1],[2,[3]]]}}},\"unicode\":\"Grüße,"
            + " 世界, emoji 🚀, quote \\\" backslash \\\\ tab \\t newline \\n"
            + " nul \\u0000\",\"zOrder\":1,\"aOrder\":2}";
    ObjectNode spec = (ObjectNode) Json.mapper().readTree(text);
    Resource created = store.create(dataplane("default", "dp-1").withSpec(spec));

    Resource read = store.get(created.key()).orElseThrow();
    assertThat(read.spec()).isEqualTo(spec);
    assertThat(Json.mapper().writeValueAsString(read.spec()))
        .isEqualTo(Json.mapper().writeValueAsString(spec));
    assertThat(store.list(DATAPLANE, "default").get(0).spec()).isEqualTo(spec);

    ObjectNode changed = spec.deepCopy();
    changed.putObject("added").put("x", "ü");
    store.update(read.withSpec(changed));
    assertThat(store.get(created.key()).orElseThrow().spec()).isEqualTo(changed);
  }

  @Test
  void emptySpecRoundTrips() {
    Resource created = store.create(mesh("empty"));

    assertThat(store.get(created.key()).orElseThrow().spec()).isEqualTo(spec("{}"));
  }

  // ---- owner cascade ----

  @Test
  void deletingAMeshDeletesEverythingInItAndAnnouncesEachDeletion() {
    EventRecorder events = record();
    List<Resource> created =
        List.of(
            store.create(mesh("doomed")),
            store.create(mesh("kept")),
            store.create(zone("doomed")),
            store.create(dataplane("doomed", "dp-1")),
            store.create(dataplane("doomed", "dp-2")),
            store.create(policy("doomed", "allow")),
            store.create(secret("doomed", "s")),
            store.create(dataplane("kept", "dp-1")));

    store.delete(key(MESH, "", "doomed"));

    assertThat(store.get(key(MESH, "", "doomed"))).isEmpty();
    assertThat(store.list(DATAPLANE, "doomed")).isEmpty();
    assertThat(store.list(MTP, "doomed")).isEmpty();
    assertThat(store.list(ResourceTypes.SECRET, "doomed")).isEmpty();
    assertThat(store.get(key(MESH, "", "kept"))).isPresent();
    assertThat(store.get(key(ZONE, "", "doomed"))).isPresent();
    assertThat(store.list(DATAPLANE, "kept")).hasSize(1);
    // The creations in order, then one deletion per removed resource (in no particular order).
    events.awaitSequenceThenAnyOrder(
        eventTimeout(),
        created.stream().map(r -> new StoreEvent(CREATED, r.key())).toList(),
        List.of(
            new StoreEvent(DELETED, key(MESH, "", "doomed")),
            new StoreEvent(DELETED, key(DATAPLANE, "doomed", "dp-1")),
            new StoreEvent(DELETED, key(DATAPLANE, "doomed", "dp-2")),
            new StoreEvent(DELETED, key(MTP, "doomed", "allow")),
            new StoreEvent(DELETED, key(ResourceTypes.SECRET, "doomed", "s"))));
  }

  @Test
  void deletingADataplaneDeletesItsInsightAndOnlyItsOwn() {
    EventRecorder events = record();
    List<Resource> created =
        List.of(
            store.create(mesh("m")),
            store.create(dataplane("m", "dp-1")),
            store.create(dataplane("m", "dp-2")),
            store.create(insight("m", "dp-1")),
            store.create(insight("m", "dp-2")));
    Resource insight1 = created.get(3);

    store.delete(key(DATAPLANE, "m", "dp-1"));

    assertThat(store.get(insight1.key())).isEmpty();
    assertThat(store.get(key(ResourceTypes.DATAPLANE_INSIGHT, "m", "dp-2"))).isPresent();
    assertThat(store.get(key(DATAPLANE, "m", "dp-2"))).isPresent();
    events.awaitSequenceThenAnyOrder(
        eventTimeout(),
        created.stream().map(r -> new StoreEvent(CREATED, r.key())).toList(),
        List.of(new StoreEvent(DELETED, key(DATAPLANE, "m", "dp-1")), new StoreEvent(DELETED, insight1.key())));
    // a Dataplane without an insight deletes as before
    store.delete(key(ResourceTypes.DATAPLANE_INSIGHT, "m", "dp-2"));
    store.delete(key(DATAPLANE, "m", "dp-2"));
    assertThat(store.list(DATAPLANE, "m")).isEmpty();
  }

  @Test
  void aResourceStoredBeforeItsMeshExistedGoesWithTheMesh() {
    store.create(dataplane("later", "early-bird"));
    store.create(mesh("later"));
    store.create(dataplane("later", "dp-2"));

    store.delete(key(MESH, "", "later"));

    assertThat(store.list(DATAPLANE, "later")).isEmpty();
  }

  // ---- events ----

  @Test
  void everyCommittedChangeIsAnnouncedInOrderAndFailuresAreNot() {
    EventRecorder events = record();
    ResourceKey a = key(DATAPLANE, "default", "a");
    ResourceKey c = key(DATAPLANE, "default", "c");

    Resource v1 = store.create(dataplane("default", "a"));
    assertThatThrownBy(() -> store.create(dataplane("default", "a")))
        .isInstanceOf(StoreException.AlreadyExists.class);
    Resource v2 = store.update(v1.withSpec(spec("{\"x\":1}")));
    assertThatThrownBy(() -> store.update(v1)).isInstanceOf(StoreException.Conflict.class);
    assertThatThrownBy(() -> store.delete(key(DATAPLANE, "default", "b")))
        .isInstanceOf(StoreException.NotFound.class);
    store.update(v2);
    store.delete(a);
    store.create(dataplane("default", "c"));

    events.awaitExactly(
        eventTimeout(),
        new StoreEvent(CREATED, a),
        new StoreEvent(UPDATED, a),
        new StoreEvent(UPDATED, a),
        new StoreEvent(DELETED, a),
        new StoreEvent(CREATED, c));
  }

  @Test
  void anEventIsDeliveredOnlyOnceItsChangeIsVisible() {
    List<String> seen = new CopyOnWriteArrayList<>();
    store.subscribe(
        e -> {
          Optional<Resource> r = store.get(e.key());
          seen.add(e.kind() + ":" + r.map(x -> x.meta().version()).orElse(0L));
        });

    Resource v1 = store.create(dataplane("default", "dp-1"));
    store.update(v1);

    await().atMost(eventTimeout()).untilAsserted(() -> assertThat(seen).hasSize(2));
    // The second read may already see version 2; it can never see "not stored yet".
    assertThat(seen.get(0)).isIn("CREATED:1", "CREATED:2");
    assertThat(seen.get(1)).isEqualTo("UPDATED:2");
  }

  @Test
  void aClosedSubscriptionReceivesNothingAndOthersStillDo() {
    EventRecorder closed = new EventRecorder();
    ResourceStore.Subscription sub = store.subscribe(closed);
    EventRecorder open = record();
    sub.close();

    store.create(mesh("m"));

    open.awaitExactly(eventTimeout(), new StoreEvent(CREATED, key(MESH, "", "m")));
    assertThat(closed.events()).isEmpty();
  }

  @Test
  void aFailingListenerBreaksNeitherTheStoreNorOtherListeners() {
    store.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    EventRecorder events = record();

    Resource m = store.create(mesh("m"));
    store.update(m);

    events.awaitExactly(
        eventTimeout(),
        new StoreEvent(CREATED, key(MESH, "", "m")),
        new StoreEvent(UPDATED, key(MESH, "", "m")));
  }

  // ---- concurrency ----

  @Test
  void concurrentUpdatesOfOneVersionHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    Resource current = store.create(dataplane("default", "contended"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 5; round++) {
        Resource base = current;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger conflicts = new AtomicInteger();
        List<Future<Resource>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int writer = t;
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      return store.update(base.withSpec(spec("{\"writer\":" + writer + "}")));
                    } catch (StoreException.Conflict e) {
                      conflicts.incrementAndGet();
                      return null;
                    }
                  }));
        }
        go.countDown();
        List<Resource> winners = new ArrayList<>();
        for (Future<Resource> f : results) {
          Resource r = f.get(30, TimeUnit.SECONDS);
          if (r != null) {
            winners.add(r);
          }
        }

        assertThat(winners).hasSize(1);
        assertThat(conflicts.get()).isEqualTo(threads - 1);
        current = store.get(base.key()).orElseThrow();
        assertThat(current.meta().version()).isEqualTo(base.meta().version() + 1);
        assertThat(current.spec()).isEqualTo(winners.get(0).spec());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger duplicates = new AtomicInteger();
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    store.create(mesh("race"));
                    return true;
                  } catch (StoreException.AlreadyExists e) {
                    duplicates.incrementAndGet();
                    return false;
                  }
                }));
      }
      go.countDown();
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }

      assertThat(winners).isEqualTo(1);
      assertThat(duplicates.get()).isEqualTo(threads - 1);
      assertThat(store.list(MESH, null)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- helpers ----

  protected EventRecorder record() {
    EventRecorder r = new EventRecorder();
    store.subscribe(r);
    return r;
  }

  protected static ResourceKey key(ResourceType type, String mesh, String name) {
    return ResourceKey.of(type, mesh, name);
  }

  protected static ObjectNode spec(String json) {
    try {
      return (ObjectNode) Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  protected static Resource mesh(String name) {
    return new Resource(MESH, "", name, ResourceMeta.draft(Map.of()), spec("{}"));
  }

  protected static Resource zone(String name) {
    return new Resource(ZONE, "", name, ResourceMeta.draft(Map.of()), spec("{\"enabled\":true}"));
  }

  protected static Resource dataplane(String mesh, String name) {
    return new Resource(
        DATAPLANE,
        mesh,
        name,
        ResourceMeta.draft(Map.of()),
        spec(
            "{\"networking\":{\"address\":\"127.0.0.1\",\"inbound\":[{\"port\":8080,"
                + "\"tags\":{\"kuma.io/service\":\""
                + name
                + "\"}}]}}"));
  }

  protected static Resource insight(String mesh, String name) {
    return new Resource(
        ResourceTypes.DATAPLANE_INSIGHT,
        mesh,
        name,
        ResourceMeta.draft(Map.of()),
        spec("{\"subscriptions\":[{\"id\":\"s1\",\"connectTime\":\"2025-03-01T10:00:00Z\"}]}"));
  }

  protected static Resource policy(String mesh, String name) {
    return new Resource(
        MTP,
        mesh,
        name,
        ResourceMeta.draft(Map.of()),
        spec(
            "{\"targetRef\":{\"kind\":\"Mesh\"},\"from\":[{\"targetRef\":{\"kind\":\"Mesh\"},\"default\":{\"action\":\"Allow\"}}]}"));
  }

  protected static Resource secret(String mesh, String name) {
    return new Resource(
        ResourceTypes.SECRET,
        mesh,
        name,
        ResourceMeta.draft(Map.of()),
        spec("{\"data\":\"c2VjcmV0\"}"));
  }

  protected static Resource globalSecret(String name) {
    return new Resource(
        ResourceTypes.GLOBAL_SECRET,
        "",
        name,
        ResourceMeta.draft(Map.of()),
        spec("{\"data\":\"Zw==\"}"));
  }

  /** Collects events; waits for an expected sequence. */
  public static final class EventRecorder implements Consumer<StoreEvent> {
    private final List<StoreEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(StoreEvent e) {
      events.add(e);
    }

    public List<StoreEvent> events() {
      return List.copyOf(events);
    }

    public void awaitExactly(Duration timeout, StoreEvent... expected) {
      await().atMost(timeout).untilAsserted(() -> assertThat(events).containsExactly(expected));
    }

    public void awaitExactlyInAnyOrder(Duration timeout, StoreEvent... expected) {
      await()
          .atMost(timeout)
          .untilAsserted(() -> assertThat(events).containsExactlyInAnyOrder(expected));
    }

    /** Waits for exactly {@code ordered} (in that order) followed by {@code unordered}. */
    public void awaitSequenceThenAnyOrder(
        Duration timeout, List<StoreEvent> ordered, List<StoreEvent> unordered) {
      await()
          .atMost(timeout)
          .untilAsserted(
              () -> {
                List<StoreEvent> all = events();
                assertThat(all).hasSize(ordered.size() + unordered.size());
                assertThat(all.subList(0, ordered.size())).containsExactlyElementsOf(ordered);
                assertThat(all.subList(ordered.size(), all.size()))
                    .containsExactlyInAnyOrderElementsOf(unordered);
              });
    }

    public void awaitContains(Duration timeout, StoreEvent... expected) {
      await().atMost(timeout).untilAsserted(() -> assertThat(events).contains(expected));
    }
  }
}
