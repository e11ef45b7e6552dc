package io.meshlite.cp.vip;

import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every {@code kuma.io/service} of every mesh a VIP and keeps the table in the store (see the
 * package design note). Dataplane and Mesh events mark a mesh dirty; one thread ({@code
 * vip-allocator}) brings dirty meshes up to date, and a periodic sweep checks them all.
 */
public final class VipAllocator implements Component {
  private static final Logger log = LoggerFactory.getLogger(VipAllocator.class);
  private static final int CONFLICT_RETRIES = 5;

  private final ResourceStore store;
  private final Clock clock;
  private final VipSettings settings;
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();

  private volatile boolean running;
  private volatile boolean swept;
  private ScheduledExecutorService worker;
  private ResourceStore.Subscription subscription;

  public VipAllocator(ResourceStore store, Clock clock, VipSettings settings) {
    this.store = store;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    worker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("vip-allocator").daemon().factory());
    subscription = store.subscribe(this::onStoreEvent);
    running = true;
    sweepQuietly(); // before proxies connect: their first configuration already has the VIPs
    long sweep = settings.sweepInterval().toMillis();
    worker.scheduleWithFixedDelay(this::sweepQuietly, sweep, sweep, TimeUnit.MILLISECONDS);
    log.info(
        "VIP allocator started cidr={} releaseGracePeriod={} sweepInterval={}",
        settings.cidr(), settings.releaseGracePeriod(), settings.sweepInterval());
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    subscription.close();
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("VIP allocator stopped");
  }

  /** Ready once every mesh was brought up to date after start (at once unless the store failed). */
  @Override
  public boolean ready() {
    return running && swept;
  }

  @Override
  public String toString() {
    return "vip-allocator";
  }

  private void onStoreEvent(StoreEvent e) {
    String type = e.key().type();
    String mesh;
    if (type.equals(ResourceTypes.DATAPLANE.name())) {
      mesh = e.key().mesh();
    } else if (type.equals(ResourceTypes.MESH_TYPE.name())) {
      mesh = e.key().name();
    } else {
      return;
    }
    if (dirty.add(mesh)) {
      try {
        worker.execute(this::drainDirty);
      } catch (RejectedExecutionException stopping) {
        dirty.remove(mesh);
      }
    }
  }

  private void drainDirty() {
    for (String mesh : new TreeSet<>(dirty)) {
      dirty.remove(mesh);
      try {
        sync(mesh);
      } catch (RuntimeException ex) {
        log.warn("VIP allocation failed, retrying at the next sweep mesh={} error={}", mesh, ex.toString());
      }
    }
  }

  private void sweepQuietly() {
    try {
      sweep();
      swept = true;
    } catch (RuntimeException e) {
      log.warn("VIP sweep failed, retrying at the next sweep error={}", e.toString());
    }
  }

  /** Brings every mesh's table up to date and removes tables of meshes that no longer exist. */
  void sweep() {
    Set<String> meshes = new TreeSet<>();
    for (Resource m : store.list(ResourceTypes.MESH_TYPE, null)) {
      meshes.add(m.name());
    }
    for (String mesh : meshes) {
      try {
        sync(mesh);
      } catch (RuntimeException e) {
        log.warn("VIP allocation failed mesh={} error={}", mesh, e.toString());
      }
    }
    for (Resource c : store.list(ResourceTypes.CONFIG, null)) {
      Optional<String> mesh = VipNames.meshOf(c.name());
      if (mesh.isPresent() && !meshes.contains(mesh.get())) {
        deleteTable(mesh.get());
      }
    }
  }

  /**
   * Brings one mesh's table up to date, synchronously; retries when another writer (another
   * control plane) changed the table in between.
   */
  void sync(String mesh) {
    for (int attempt = 1; ; attempt++) {
      try {
        syncOnce(mesh);
        return;
      } catch (StoreException.Conflict | StoreException.AlreadyExists e) {
        if (attempt >= CONFLICT_RETRIES) {
          throw e;
        }
        log.debug("VIP table changed concurrently, retrying mesh={} attempt={}", mesh, attempt);
      }
    }
  }

  private void syncOnce(String mesh) {
    if (store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh)).isEmpty()) {
      deleteTable(mesh);
      return;
    }
    Set<String> services = new TreeSet<>();
    for (Resource r : store.list(ResourceTypes.DATAPLANE, mesh)) {
      try {
        for (DataplaneSpec.Inbound in : DataplaneSpec.parse(r.spec()).networking().inbound()) {
          services.add(in.service());
        }
      } catch (ValidationException invalid) {
        // an invalid Dataplane offers no service
      }
    }
    Optional<Resource> stored = store.get(VipNames.configKey(mesh));
    VipTable current;
    try {
      current = stored.map(VipTable::fromConfig).orElse(VipTable.EMPTY);
    } catch (IllegalArgumentException e) {
      log.error(
          "VIP table is not readable, leaving it as it is mesh={} config={} error={}",
          mesh, VipNames.configName(mesh), e.getMessage());
      return;
    }
    VipAllocation.Result r =
        VipAllocation.next(current, services, settings.cidr(), clock.instant(), settings.releaseGracePeriod());
    if (!r.exhausted().isEmpty()) {
      log.error("VIP range {} is full, no VIP for mesh={} services={}", settings.cidr(), mesh, r.exhausted());
    }
    if (stored.isPresent() && r.table().equals(current)) {
      return;
    }
    if (stored.isEmpty() && r.table().services().isEmpty() && r.table().others().isEmpty()) {
      return;
    }
    if (stored.isPresent()) {
      store.update(stored.get().withSpec(r.table().toSpec()));
    } else {
      store.create(
          new Resource(
              ResourceTypes.CONFIG, "", VipNames.configName(mesh), ResourceMeta.draft(Map.of()), r.table().toSpec()));
    }
    r.allocated().forEach((service, vip) -> log.info("VIP allocated mesh={} service={} vip={}", mesh, service, vip));
    r.released().forEach(service -> log.info("VIP released mesh={} service={}", mesh, service));
  }

  private void deleteTable(String mesh) {
    try {
      store.delete(VipNames.configKey(mesh));
      log.info("VIP table removed with its mesh mesh={}", mesh);
    } catch (StoreException.NotFound gone) {
      // nothing to remove
    }
  }
}
