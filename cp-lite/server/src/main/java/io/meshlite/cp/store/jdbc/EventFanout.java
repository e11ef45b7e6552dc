package io.meshlite.cp.store.jdbc;

import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers store events to listeners in commit order. Writers {@link #enqueue} while they still
 * hold the write lock (so the queue is in commit order) and {@link #drain} after releasing it;
 * whichever thread drains delivers everything queued so far, one event at a time. A listener that
 * writes to the store from inside a callback is safe: its events are queued and delivered after the
 * current one.
 */
final class EventFanout {
  private static final Logger log = LoggerFactory.getLogger(EventFanout.class);

  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Queue<StoreEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  ResourceStore.Subscription subscribe(Consumer<StoreEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void enqueue(List<StoreEvent> events) {
    queue.addAll(events);
  }

  void drain() {
    while (!queue.isEmpty()) {
      if (!draining.compareAndSet(false, true)) {
        return; // the thread that is draining will see our events
      }
      try {
        StoreEvent e;
        while ((e = queue.poll()) != null) {
          deliver(e);
        }
      } finally {
        draining.set(false);
      }
    }
  }

  /** Delivers one event now, on the calling thread (used by the single Postgres listener). */
  void deliver(StoreEvent e) {
    for (Consumer<StoreEvent> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("store listener failed event={} error={}", e, ex.toString());
      }
    }
  }
}
