package io.meshlite.cp.xds;

import com.google.common.util.concurrent.MoreExecutors;
import io.envoyproxy.controlplane.cache.SnapshotCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.grpc.Status;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.ca.DataplaneIdentities;
import io.meshlite.cp.ca.MtlsSupport;
import io.meshlite.cp.dpserver.AdsStreamCallbacks;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.vip.VipNames;
import io.meshlite.cp.xds.generator.AffectedProxies;
import io.meshlite.cp.xds.generator.Dataplane;
import io.meshlite.cp.xds.generator.MeshContext;
import io.meshlite.cp.xds.generator.ProxyMetadata;
import io.meshlite.cp.xds.generator.ProxyProfile;
import io.meshlite.cp.xds.generator.ResourceSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the xDS snapshot of every connected proxy in step with the store, driven by store events
 * (see the package design note). Proxy connections come in through {@link #callbacks()}, which the
 * discovery server must be given.
 */
public final class XdsReconciler implements Component {
  private static final Logger log = LoggerFactory.getLogger(XdsReconciler.class);

  /** Types written by the control plane about proxies; they never change a proxy's config. */
  private static final Set<String> STATUS_TYPES =
      Set.of(ResourceTypes.DATAPLANE_INSIGHT.name(), "MeshInsight");

  /** How long a proxy's lane lives on after its last stream closed (a quick reconnect reuses it). */
  private static final Duration RETIRE_DELAY = Duration.ofSeconds(1);

  private final ResourceStore store;
  private final SnapshotCache<String, Snapshot> cache;
  private final ProxyProfile profile;
  private final Clock clock;
  private final Duration debounce;
  private final Duration resyncInterval;
  private final MeshContexts contexts;
  private final MtlsSupport mtls;
  private final ConcurrentHashMap<String, ProxyLane> lanes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, String> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, MeshLane> meshes = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong pushes = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong meshRefreshes = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final Callbacks callbacks = new Callbacks();

  private volatile boolean running;
  private ExecutorService workers;
  private ScheduledExecutorService timer;
  private ResourceStore.Subscription subscription;

  /**
   * @param store where Meshes and Dataplanes are read from and change events come from
   * @param cache the snapshot cache the discovery server serves from (group = node id)
   * @param profile the generators to run for each proxy
   * @param clock the clock
   * @param debounce how long a dirty proxy waits before regenerating, to coalesce bursts
   * @param resyncInterval how often every proxy is regenerated regardless of events (safety net)
   */
  public XdsReconciler(
      ResourceStore store,
      SnapshotCache<String, Snapshot> cache,
      ProxyProfile profile,
      Clock clock,
      Duration debounce,
      Duration resyncInterval) {
    this(store, cache, profile, clock, debounce, resyncInterval, DataplaneIdentities.IssueListener.NONE);
  }

  /** @param certificates told about every workload certificate issued to a proxy */
  public XdsReconciler(
      ResourceStore store,
      SnapshotCache<String, Snapshot> cache,
      ProxyProfile profile,
      Clock clock,
      Duration debounce,
      Duration resyncInterval,
      DataplaneIdentities.IssueListener certificates) {
    this.store = store;
    this.cache = cache;
    this.profile = profile;
    this.clock = clock;
    this.debounce = debounce;
    this.resyncInterval = resyncInterval;
    this.mtls = new MtlsSupport(store, clock, certificates);
    this.contexts = new MeshContexts(store, mtls::enrich);
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    int n = Math.max(2, Runtime.getRuntime().availableProcessors());
    workers = Executors.newFixedThreadPool(n, Thread.ofPlatform().name("xds-worker-", 0).daemon().factory());
    timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("xds-timer").daemon().factory());
    subscription = store.subscribe(this::onStoreEvent);
    long resync = resyncInterval.toMillis();
    timer.scheduleWithFixedDelay(this::resyncAll, resync, resync, TimeUnit.MILLISECONDS);
    running = true;
    log.info("xDS reconciler started workers={} debounce={} resync={}", n, debounce, resyncInterval);
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    subscription.close();
    timer.shutdownNow();
    workers.shutdownNow();
    lanes.clear();
    streams.clear();
    meshes.clear();
    log.info("xDS reconciler stopped");
  }

  @Override
  public boolean ready() {
    return running;
  }

  /** The callbacks to register with the discovery server; they track proxy connections. */
  public DiscoveryServerCallbacks callbacks() {
    return callbacks;
  }

  /** Node ids of the proxies with an open ADS stream, sorted. */
  public Set<String> connectedProxies() {
    Set<String> out = new TreeSet<>();
    lanes.forEach((id, lane) -> {
      if (lane.streams.get() > 0) {
        out.add(id);
      }
    });
    return out;
  }

  /** Counters since start. */
  public XdsStats stats() {
    return new XdsStats(
        connectedProxies().size(), generations.get(), pushes.get(), unchanged.get(), failures.get(),
        meshRefreshes.get(), skipped.get());
  }

  private void onStoreEvent(StoreEvent e) {
    String type = e.key().type();
    if (STATUS_TYPES.contains(type)) {
      return;
    }
    String mesh =
        type.equals(ResourceTypes.MESH_TYPE.name())
            ? e.key().name()
            : VipNames.meshOf(e.key()).orElse(e.key().mesh()); // a mesh's VIP table is global
    if (mesh.isEmpty()) {
      return; // no global type other than Mesh affects proxies yet
    }
    contexts.invalidate(mesh);
    MeshLane ml = meshLane(mesh);
    if (!running || !ml.pending.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.schedule(() -> workers.execute(() -> refresh(ml)), debounce.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      ml.pending.set(false);
    }
  }

  private MeshLane meshLane(String mesh) {
    return meshes.computeIfAbsent(mesh, MeshLane::new);
  }

  /**
   * Runs on a worker after a mesh's store events: moves the mesh to its new context and marks
   * dirty only the proxies that the difference can affect ({@link AffectedProxies}).
   */
  private void refresh(MeshLane ml) {
    ml.pending.set(false);
    if (!running) {
      return;
    }
    AffectedProxies.Result affected;
    synchronized (ml) {
      boolean connected = false;
      for (ProxyLane lane : lanes.values()) {
        if (lane.id.mesh().equals(ml.name)) {
          connected = true;
          break;
        }
      }
      if (!connected) {
        ml.forget(); // nothing generated from it; the next proxy builds a fresh one
        return;
      }
      try {
        MeshContext now = contexts.get(ml.name).orElse(null);
        affected = ml.known ? AffectedProxies.between(ml.baseline, now) : AffectedProxies.Result.ALL;
        ml.baseline = now;
        ml.known = true;
      } catch (RuntimeException e) {
        ml.forget();
        affected = AffectedProxies.Result.ALL;
        log.warn("building the mesh context failed, regenerating every proxy mesh={} error={}", ml.name, e.toString());
      }
    }
    long unaffected = 0;
    for (ProxyLane lane : lanes.values()) {
      if (lane.id.mesh().equals(ml.name)) {
        if (affected.affects(lane.id.name())) {
          markDirty(lane, Duration.ZERO);
        } else {
          unaffected++;
        }
      }
    }
    skipped.addAndGet(unaffected);
    meshRefreshes.incrementAndGet();
  }

  private void resyncAll() {
    meshes.values().forEach(MeshLane::forget);
    contexts.invalidateAll();
    lanes.values().forEach(lane -> markDirty(lane, Duration.ZERO));
  }

  private void markDirty(ProxyLane lane, Duration delay) {
    if (!running || !lane.pending.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.schedule(() -> lane.serial.execute(() -> reconcile(lane)), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      lane.pending.set(false);
    }
  }

  /** Runs on the proxy's lane. */
  private void reconcile(ProxyLane lane) {
    lane.pending.set(false);
    if (lane.closed || !running) {
      return;
    }
    generations.incrementAndGet();
    ProxyId id = lane.id;
    try {
      Optional<MeshContext> mesh = meshLane(id.mesh()).current();
      Optional<Dataplane> dp = mesh.flatMap(m -> m.dataplane(id.name()));
      if (dp.isEmpty()) {
        String invalid = mesh.map(m -> m.invalid().get(id.name())).orElse(null);
        if (invalid != null) {
          throw new IllegalStateException("its Dataplane is not valid: " + invalid);
        }
        if (!lane.missing) {
          lane.missing = true;
          log.info(
              "no Dataplane for connected proxy, keeping its last snapshot dp={} mesh={} reason={}",
              id.name(), id.mesh(), mesh.isEmpty() ? "mesh not found" : "dataplane not found");
        }
        return;
      }
      lane.missing = false;
      Dataplane proxy = dp.get().withMetadata(lane.metadata);
      MtlsSupport.ProxyExtras extras = mtls.forProxy(mesh.get(), proxy);
      scheduleRenewal(lane, extras.renewAt());
      ResourceSet resources = profile.generate(mesh.get(), proxy, extras.generators());
      SnapshotVersions versions = SnapshotVersions.of(resources);
      if (versions.equals(lane.versions)) {
        unchanged.incrementAndGet();
        return;
      }
      cache.setSnapshot(id.nodeId(), versions.snapshot(resources));
      lane.versions = versions;
      lane.lastPush = clock.instant();
      pushes.incrementAndGet();
      log.debug(
          "snapshot set dp={} mesh={} cds={} eds={} lds={}",
          id.name(), id.mesh(), versions.clusters(), versions.endpoints(), versions.listeners());
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      log.warn(
          "xDS generation failed, keeping the last good snapshot dp={} mesh={} error={}",
          id.name(), id.mesh(), e.toString(), e);
    }
  }

  /** Runs on the proxy's lane: regenerates the proxy when its certificate is due for renewal. */
  private void scheduleRenewal(ProxyLane lane, Optional<Instant> at) {
    boolean pending = lane.renewal != null && !lane.renewal.isDone();
    if (pending && at.isPresent() && at.get().equals(lane.renewalAt)) {
      return;
    }
    if (lane.renewal != null) {
      lane.renewal.cancel(false);
      lane.renewal = null;
    }
    lane.renewalAt = at.orElse(null);
    if (at.isEmpty() || !running) {
      return;
    }
    long delay = Math.max(0, Duration.between(clock.instant(), at.get()).toMillis()) + 1;
    try {
      lane.renewal = timer.schedule(() -> markDirty(lane, Duration.ZERO), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // shutting down
    }
  }

  private void connect(long streamId, ProxyId id, ProxyMetadata metadata) {
    ProxyLane lane =
        lanes.compute(
            id.nodeId(),
            (k, l) -> {
              ProxyLane out = l != null ? l : new ProxyLane(id, MoreExecutors.newSequentialExecutor(workers));
              out.streams.incrementAndGet();
              out.metadata = metadata;
              return out;
            });
    log.info("proxy connected dp={} mesh={} stream={}", id.name(), id.mesh(), streamId);
    markDirty(lane, Duration.ZERO);
  }

  private void disconnect(long streamId, String nodeId) {
    ProxyLane lane = lanes.computeIfPresent(nodeId, (k, l) -> {
      l.streams.decrementAndGet();
      return l;
    });
    log.info("proxy disconnected node={} stream={}", nodeId, streamId);
    if (lane != null) {
      scheduleRetire(lane);
    }
  }

  private void scheduleRetire(ProxyLane lane) {
    if (!running) {
      return;
    }
    try {
      timer.schedule(() -> lane.serial.execute(() -> retire(lane)), RETIRE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // shutting down: nothing to clean up for
    }
  }

  /** Runs on the proxy's lane: drops it and its snapshot if it still has no stream. */
  private void retire(ProxyLane lane) {
    boolean[] retry = {false};
    lanes.computeIfPresent(
        lane.id.nodeId(),
        (k, l) -> {
          if (l != lane || l.streams.get() > 0) {
            return l;
          }
          if (!cache.clearSnapshot(k)) {
            retry[0] = true; // the closed stream's watches are not cancelled yet
            return l;
          }
          l.closed = true;
          mtls.forget(k);
          if (l.renewal != null) {
            l.renewal.cancel(false);
          }
          return null;
        });
    if (retry[0]) {
      scheduleRetire(lane);
    } else if (lane.closed) {
      log.debug("proxy retired dp={} mesh={}", lane.id.name(), lane.id.mesh());
    }
  }

  /**
   * The context every proxy of one mesh is generated from. It moves only in {@link #refresh},
   * which marks dirty the proxies that the move affects, so a proxy's snapshot is always built from
   * a context the next refresh diffs against. Proxies never read a fresher one directly: a change
   * seen early by one proxy and undone before the refresh would otherwise go unnoticed.
   */
  private final class MeshLane {
    final String name;
    final java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();

    /** False until built, and after {@link #forget}: the next refresh then affects every proxy. */
    boolean known;

    /** The current context, null when the Mesh does not exist; guarded by this. */
    MeshContext baseline;

    MeshLane(String name) {
      this.name = name;
    }

    synchronized Optional<MeshContext> current() {
      if (!known) {
        baseline = contexts.get(name).orElse(null);
        known = true;
      }
      return Optional.ofNullable(baseline);
    }

    synchronized void forget() {
      known = false;
      baseline = null;
    }
  }

  /** Connection tracking from the discovery server; runs on gRPC threads. */
  private final class Callbacks implements AdsStreamCallbacks {
    @Override
    public void request(long streamId, AdsRequest request) throws RequestException {
      String node = request.node().getId();
      String known = streams.get(streamId);
      if (known != null) {
        if (!node.isEmpty() && !node.equals(known)) {
          throw new RequestException(
              Status.INVALID_ARGUMENT.withDescription(
                  "node id changed within the stream from \"" + known + "\" to \"" + node + "\""));
        }
        return;
      }
      if (!running) {
        throw new RequestException(Status.UNAVAILABLE.withDescription("control plane is not ready"));
      }
      ProxyId id;
      try {
        id = ProxyId.parse(node);
      } catch (IllegalArgumentException e) {
        throw new RequestException(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      }
      if (streams.putIfAbsent(streamId, node) == null) {
        connect(streamId, id, ProxyMetadata.fromNode(request.node()));
      }
    }

    @Override
    public void streamEnded(long streamId) {
      String node = streams.remove(streamId);
      if (node != null) {
        disconnect(streamId, node);
      }
    }
  }
}
