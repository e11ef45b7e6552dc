package io.meshlite.cp.store.k8s;

import io.meshlite.api.resource.ResourceKey;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns two sources of changes into one stream of {@link StoreEvent}s, each change exactly once:
 * this kuma-cp's own writes (announced as soon as the API server confirms them, so a single writer
 * sees its changes in order, across types) and the watches (changes by other kuma-cp replicas,
 * kubectl, the garbage collector). Both report the object's resourceVersion; per key the ledger
 * remembers the newest one announced and drops anything not newer. Deletions leave a tombstone for
 * a while, so a watch that reports a deletion after the writer did is not announced twice.
 *
 * <p>Decisions are taken under one lock and handed, in that order, to a single delivery thread.
 */
final class EventLedger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLedger.class);
  private static final long TOMBSTONE_NANOS = 10L * 60 * 1_000_000_000L;

  /** What the ledger knows about one key. */
  private record Seen(long rv, boolean deleted, long at) {}

  private final Object lock = new Object();
  private final Map<ResourceKey, Seen> seen = new HashMap<>();
  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService delivery =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("k8s-store-events").factory());
  private final LongSupplier nanos;
  private boolean live;
  private int decisions;

  EventLedger(LongSupplier nanos) {
    this.nanos = nanos;
  }

  ResourceStore.Subscription subscribe(Consumer<StoreEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Records what the watches saw while starting (announced to nobody) and starts announcing. Called
   * once, after every watch has listed its objects.
   */
  void goLive(Map<ResourceKey, Long> existing) {
    synchronized (lock) {
      long now = nanos.getAsLong();
      existing.forEach((k, rv) -> seen.merge(k, new Seen(rv, false, now), (a, b) -> newer(a.rv, b.rv) ? a : b));
      live = true;
    }
  }

  /** A write of this kuma-cp was committed at resourceVersion {@code rv}. */
  void committed(StoreEvent.Kind kind, ResourceKey key, long rv) {
    synchronized (lock) {
      Seen s = seen.get(key);
      switch (kind) {
        case CREATED, UPDATED -> {
          if (s != null && !newer(rv, s.rv)) {
            return; // the watch was faster
          }
          remember(key, new Seen(rv, false, nanos.getAsLong()));
          announce(new StoreEvent(kind, key));
        }
        case DELETED -> {
          if (s != null && s.deleted && !newer(rv, s.rv)) {
            return;
          }
          long last = s == null ? rv : Math.max(rv, s.rv);
          remember(key, new Seen(last, true, nanos.getAsLong()));
          announce(new StoreEvent(StoreEvent.Kind.DELETED, key));
        }
      }
    }
  }

  /** A watch reported an object at {@code rv}: added or modified ({@code deleted=false}) or deleted. */
  void observed(ResourceKey key, long rv, boolean deleted) {
    synchronized (lock) {
      if (!live) {
        return;
      }
      Seen s = seen.get(key);
      if (deleted) {
        if (s != null && s.deleted) {
          if (rv >= 0 && rv > s.rv) {
            remember(key, new Seen(rv, true, s.at));
          }
          return; // already announced
        }
        if (s != null && rv >= 0 && s.rv > rv) {
          return; // the deletion of an older incarnation; a newer one was announced since
        }
        remember(key, new Seen(s == null ? rv : Math.max(rv, s.rv), true, nanos.getAsLong()));
        announce(new StoreEvent(StoreEvent.Kind.DELETED, key));
        return;
      }
      if (s != null && !newer(rv, s.rv)) {
        return;
      }
      StoreEvent.Kind kind = s == null || s.deleted ? StoreEvent.Kind.CREATED : StoreEvent.Kind.UPDATED;
      remember(key, new Seen(rv, false, nanos.getAsLong()));
      announce(new StoreEvent(kind, key));
    }
  }

  /** True when {@code a} is newer than {@code b}; unknown (-1) versions always count as newer. */
  private static boolean newer(long a, long b) {
    return a < 0 || b < 0 || a > b;
  }

  private void remember(ResourceKey key, Seen s) {
    seen.put(key, s);
    if (++decisions % 1024 == 0) {
      long now = nanos.getAsLong();
      for (Iterator<Seen> it = seen.values().iterator(); it.hasNext(); ) {
        Seen x = it.next();
        if (x.deleted && now - x.at > TOMBSTONE_NANOS) {
          it.remove();
        }
      }
    }
  }

  private void announce(StoreEvent e) {
    try {
      delivery.execute(() -> deliver(e));
    } catch (RejectedExecutionException closed) {
      log.debug("store closed, dropping event={}", e);
    }
  }

  private void deliver(StoreEvent e) {
    for (Consumer<StoreEvent> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("store listener failed event={} error={}", e, ex.toString());
      }
    }
  }

  @Override
  public void close() {
    delivery.shutdown();
  }
}
