package io.meshlite.cp.store.memory;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's default store: everything in memory, lost on restart. Writes are serialised by one lock;
 * events are delivered after the lock is released, in commit order per writer.
 */
public final class MemoryStore implements ResourceStore {
  private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);
  private static final Comparator<ResourceKey> ORDER =
      Comparator.comparing(ResourceKey::type)
          .thenComparing(ResourceKey::mesh)
          .thenComparing(ResourceKey::name);

  private final Clock clock;
  private final Object lock = new Object();
  private final TreeMap<ResourceKey, Resource> data = new TreeMap<>(ORDER);
  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();

  public MemoryStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Resource create(Resource r) {
    Resource stored;
    synchronized (lock) {
      if (data.containsKey(r.key())) {
        throw new StoreException.AlreadyExists(r.key());
      }
      Instant now = clock.instant();
      stored = r.withMeta(r.meta().withVersion(1).withTimes(now, now));
      data.put(r.key(), stored);
    }
    publish(new StoreEvent(StoreEvent.Kind.CREATED, r.key()));
    return stored;
  }

  @Override
  public Resource update(Resource r) {
    Resource stored;
    synchronized (lock) {
      Resource current = data.get(r.key());
      if (current == null) {
        throw new StoreException.NotFound(r.key());
      }
      if (current.meta().version() != r.meta().version()) {
        throw new StoreException.Conflict(r.key(), r.meta().version(), current.meta().version());
      }
      stored =
          r.withMeta(
              r.meta()
                  .withVersion(current.meta().version() + 1)
                  .withTimes(current.meta().creationTime(), clock.instant()));
      data.put(r.key(), stored);
    }
    publish(new StoreEvent(StoreEvent.Kind.UPDATED, r.key()));
    return stored;
  }

  @Override
  public void delete(ResourceKey key) {
    List<ResourceKey> removed = new ArrayList<>();
    synchronized (lock) {
      if (data.remove(key) == null) {
        throw new StoreException.NotFound(key);
      }
      if (key.type().equals(ResourceTypes.MESH_TYPE.name())) {
        data.keySet().removeIf(k -> {
          boolean owned = !k.mesh().isEmpty() && k.mesh().equals(key.name());
          if (owned) {
            removed.add(k);
          }
          return owned;
        });
      }
      if (key.type().equals(ResourceTypes.DATAPLANE.name())) {
        ResourceKey insight = new ResourceKey(ResourceTypes.DATAPLANE_INSIGHT.name(), key.mesh(), key.name());
        if (data.remove(insight) != null) {
          removed.add(insight);
        }
      }
      removed.add(key);
    }
    removed.forEach(k -> publish(new StoreEvent(StoreEvent.Kind.DELETED, k)));
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    synchronized (lock) {
      return Optional.ofNullable(data.get(key));
    }
  }

  @Override
  public List<Resource> list(ResourceType type, String mesh) {
    synchronized (lock) {
      ResourceKey from = new ResourceKey(type.name(), mesh == null ? "" : mesh, "");
      List<Resource> out = new ArrayList<>();
      for (Resource r : data.tailMap(from, true).values()) {
        if (!r.type().name().equals(type.name()) || (mesh != null && !r.mesh().equals(mesh))) {
          break;
        }
        out.add(r);
      }
      return out;
    }
  }

  @Override
  public Subscription subscribe(Consumer<StoreEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void publish(StoreEvent e) {
    for (Consumer<StoreEvent> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("store listener failed event={} error={}", e, ex.toString());
      }
    }
  }
}
