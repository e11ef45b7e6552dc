package io.meshlite.cp.store.k8s;

import static io.meshlite.cp.store.StoreEvent.Kind.CREATED;
import static io.meshlite.cp.store.StoreEvent.Kind.DELETED;
import static io.meshlite.cp.store.StoreEvent.Kind.UPDATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.resource.ResourceKey;
import io.meshlite.cp.store.StoreEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Own commits and watch reports of the same change are announced once, in order. */
class EventLedgerTest {
  private static final ResourceKey A = new ResourceKey("Dataplane", "default", "a.shop");
  private static final ResourceKey B = new ResourceKey("Mesh", "", "b");

  private final AtomicLong nanos = new AtomicLong();
  private final List<StoreEvent> events = new CopyOnWriteArrayList<>();
  private EventLedger ledger;

  @BeforeEach
  void open() {
    ledger = new EventLedger(nanos::get);
    ledger.subscribe(events::add);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private void expect(StoreEvent... expected) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events).containsExactly(expected));
  }

  @Test
  void aWatchThatIsSlowerOrFasterThanTheWriterAnnouncesNothingTwice() {
    ledger.goLive(Map.of());
    ledger.committed(CREATED, A, 10);
    ledger.observed(A, 10, false); // the watch catches up
    ledger.observed(A, 11, false); // watch first ...
    ledger.committed(UPDATED, A, 11); // ... then the writer
    ledger.committed(DELETED, A, 11);
    ledger.observed(A, 12, true); // the deletion, at the deletion's revision

    expect(new StoreEvent(CREATED, A), new StoreEvent(UPDATED, A), new StoreEvent(DELETED, A));
  }

  @Test
  void lateWatchEventsOfAnOlderIncarnationAreDropped() {
    ledger.goLive(Map.of());
    ledger.committed(CREATED, A, 1);
    ledger.committed(DELETED, A, 1);
    ledger.committed(CREATED, A, 3);
    ledger.observed(A, 1, false);
    ledger.observed(A, 2, true);
    ledger.observed(A, 3, false);

    expect(new StoreEvent(CREATED, A), new StoreEvent(DELETED, A), new StoreEvent(CREATED, A));
  }

  @Test
  void changesByOthersAreAnnouncedAndWhatExistedAtStartIsNot() {
    ledger.observed(B, 1, false); // before going live: nobody listens yet
    ledger.goLive(Map.of(B, 1L));
    ledger.observed(B, 1, false); // the informer replaying its cache
    ledger.observed(B, 5, false);
    ledger.observed(A, 6, false);
    ledger.observed(A, 7, true);
    ledger.observed(A, 7, true); // a relist reporting the same deletion

    expect(new StoreEvent(UPDATED, B), new StoreEvent(CREATED, A), new StoreEvent(DELETED, A));
  }

  @Test
  void unknownResourceVersionsAreAnnouncedRatherThanLost() {
    ledger.goLive(Map.of());
    ledger.committed(CREATED, A, -1);
    ledger.observed(A, -1, false);

    expect(new StoreEvent(CREATED, A), new StoreEvent(UPDATED, A));
  }

  @Test
  void oldTombstonesAreForgotten() {
    ledger.goLive(Map.of());
    ledger.committed(CREATED, A, 1);
    ledger.committed(DELETED, A, 1);
    nanos.set(Duration.ofHours(1).toNanos());
    for (int i = 0; i < 1100; i++) {
      ledger.committed(CREATED, new ResourceKey("Mesh", "", "m" + i), 100 + i);
    }
    // The tombstone is gone, so a (stale) report of the deletion is announced again: tombstones
    // only need to outlive the watch's delay, not forever.
    ledger.observed(A, 2, true);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events).hasSize(1103));
    assertThat(events.get(events.size() - 1)).isEqualTo(new StoreEvent(DELETED, A));
  }
}
