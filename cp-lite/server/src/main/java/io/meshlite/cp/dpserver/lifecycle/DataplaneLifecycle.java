package io.meshlite.cp.dpserver.lifecycle;

import com.google.protobuf.Value;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.dpserver.AdsStreamCallbacks;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers self-registering Dataplanes when their proxy connects over ADS and removes them after
 * the proxy has gone, as Kuma's {@code DataplaneLifecycle} (see the package design note). Register
 * {@link #callbacks()} with the discovery server before the reconciler's callbacks, so the
 * Dataplane is stored by the time the proxy's first snapshot is built.
 */
public final class DataplaneLifecycle implements Component {
  /** Node metadata key carrying the Dataplane resource JSON (Kuma's name). */
  public static final String RESOURCE_METADATA = "dataplane.resource";

  private static final Logger log = LoggerFactory.getLogger(DataplaneLifecycle.class);
  private static final int UPSERT_ATTEMPTS = 5;

  private final ResourceStore store;
  private final Duration deregistrationDelay;
  private final ConcurrentHashMap<Long, String> streams = new ConcurrentHashMap<>();
  private final Callbacks callbacks = new Callbacks();

  // Owned by the dp-lifecycle thread.
  private final Map<String, Registration> registrations = new HashMap<>();

  private volatile boolean running;
  private ScheduledExecutorService executor;

  /** One self-registered Dataplane. */
  private static final class Registration {
    final ResourceKey key;
    int streams;
    long version;
    ScheduledFuture<?> pendingDelete;

    Registration(ResourceKey key) {
      this.key = key;
    }
  }

  /**
   * @param store where Dataplanes are registered
   * @param deregistrationDelay how long after a proxy's last stream closed its Dataplane is removed
   *     ({@code xdsServer.dataplaneDeregistrationDelay}, {@code
   *     KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY}, default 10s)
   */
  public DataplaneLifecycle(ResourceStore store, Duration deregistrationDelay) {
    if (deregistrationDelay.isNegative()) {
      throw new IllegalArgumentException(
          "dataplaneDeregistrationDelay: " + deregistrationDelay + " (expected: a non-negative duration)");
    }
    this.store = store;
    this.deregistrationDelay = deregistrationDelay;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dp-lifecycle").daemon().factory());
    running = true;
  }

  /** Stops without deleting anything: proxies of a stopping control plane reconnect elsewhere. */
  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean ready() {
    return running;
  }

  /** The callbacks to register with the discovery server. */
  public DiscoveryServerCallbacks callbacks() {
    return callbacks;
  }

  /**
   * Node ids of the Dataplanes this control plane registered and still tracks (connected, or
   * waiting for their deregistration delay), sorted. Blocks briefly on the lifecycle thread.
   */
  public Set<String> registered() {
    try {
      return executor.submit(() -> new TreeSet<>(registrations.keySet())).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return Set.of();
    }
  }

  /**
   * The Dataplane carried in an Envoy node's metadata, parsed and checked against the node id.
   *
   * @return empty when the node carries none (the Dataplane was applied by a user)
   * @throws ValidationException when it is not a valid Dataplane of this node
   */
  static Optional<Resource> fromNode(Node node) {
    Value v = node.getMetadata().getFieldsMap().get(RESOURCE_METADATA);
    if (v == null || !v.hasStringValue() || v.getStringValue().isBlank()) {
      return Optional.empty();
    }
    Resource r;
    try {
      r = ResourceCodec.parse(v.getStringValue());
    } catch (ValidationException e) {
      throw new ValidationException(RESOURCE_METADATA + " is not valid", e.violations());
    }
    if (r.type() != ResourceTypes.DATAPLANE) {
      throw ValidationException.of(RESOURCE_METADATA + ".type", "\"" + r.type().name() + "\" (expected: Dataplane)");
    }
    String expected = r.mesh() + "." + r.name();
    if (!expected.equals(node.getId())) {
      throw ValidationException.of(
          RESOURCE_METADATA, "Dataplane " + expected + " does not match the node id \"" + node.getId() + "\"");
    }
    DataplaneSpec.parse(r.spec());
    return Optional.of(r);
  }

  private void connected(long streamId, String nodeId, Resource dataplane) {
    submit(() -> {
      Registration reg = registrations.computeIfAbsent(nodeId, k -> new Registration(dataplane.key()));
      reg.streams++;
      if (reg.pendingDelete != null) {
        reg.pendingDelete.cancel(false);
        reg.pendingDelete = null;
        log.info("self-registered Dataplane reconnected, deregistration cancelled dp={} mesh={}",
            dataplane.name(), dataplane.mesh());
      }
      try {
        Resource stored = upsert(dataplane);
        reg.version = stored.meta().version();
        log.info("Dataplane registered by its proxy dp={} mesh={} version={} stream={}",
            dataplane.name(), dataplane.mesh(), reg.version, streamId);
      } catch (RuntimeException e) {
        log.warn("could not register the Dataplane of a connected proxy dp={} mesh={} error={}",
            dataplane.name(), dataplane.mesh(), e.getMessage());
        if (reg.version == 0 && reg.streams == 1) {
          registrations.remove(nodeId); // nothing of ours is stored: nothing to remove later
        }
      }
    });
  }

  private void disconnected(String nodeId) {
    submit(() -> {
      Registration reg = registrations.get(nodeId);
      if (reg == null || --reg.streams > 0) {
        return;
      }
      log.info("proxy of a self-registered Dataplane disconnected, removing it in {} unless it reconnects dp={} mesh={}",
          deregistrationDelay, reg.key.name(), reg.key.mesh());
      try {
        reg.pendingDelete = executor.schedule(() -> deregister(nodeId, reg), deregistrationDelay.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        // the control plane is stopping: keep the Dataplane
      }
    });
  }

  /** Runs on the lifecycle thread after the delay. */
  private void deregister(String nodeId, Registration reg) {
    if (registrations.get(nodeId) != reg || reg.streams > 0 || !running) {
      return;
    }
    registrations.remove(nodeId);
    try {
      Optional<Resource> current = store.get(reg.key);
      if (current.isEmpty()) {
        return;
      }
      if (current.get().meta().version() != reg.version) {
        log.info("Dataplane changed since its proxy registered it (version {} → {}), keeping it dp={} mesh={}",
            reg.version, current.get().meta().version(), reg.key.name(), reg.key.mesh());
        return;
      }
      store.delete(reg.key);
      log.info("Dataplane deregistered: its proxy is gone dp={} mesh={}", reg.key.name(), reg.key.mesh());
    } catch (StoreException.NotFound gone) {
      // deleted meanwhile
    } catch (RuntimeException e) {
      log.warn("could not deregister Dataplane dp={} mesh={} error={}", reg.key.name(), reg.key.mesh(), e.getMessage());
    }
  }

  /** Creates or replaces the Dataplane with the proxy's spec and labels; its Mesh must exist. */
  private Resource upsert(Resource dataplane) {
    if (store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", dataplane.mesh())).isEmpty()) {
      throw new IllegalStateException("mesh \"" + dataplane.mesh() + "\" does not exist");
    }
    for (int attempt = 1; ; attempt++) {
      try {
        Optional<Resource> current = store.get(dataplane.key());
        if (current.isEmpty()) {
          return store.create(dataplane.withMeta(ResourceMeta.draft(dataplane.meta().labels())));
        }
        ResourceMeta meta = current.get().meta().withLabels(dataplane.meta().labels());
        return store.update(dataplane.withMeta(meta));
      } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
        if (attempt >= UPSERT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void submit(Runnable task) {
    if (!running) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("dataplane lifecycle task failed", e);
        }
      });
    } catch (RejectedExecutionException stopping) {
      // stopping
    }
  }

  /** Stream tracking from the discovery server; runs on gRPC threads. */
  private final class Callbacks implements AdsStreamCallbacks {
    @Override
    public void request(long streamId, AdsRequest request) throws RequestException {
      if (streams.containsKey(streamId) || !running) {
        return;
      }
      Optional<Resource> dataplane;
      try {
        dataplane = fromNode(request.node());
      } catch (ValidationException e) {
        log.warn("refusing an ADS stream with an invalid Dataplane node={} error={}",
            request.node().getId(), e.getMessage());
        throw new RequestException(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      }
      if (dataplane.isEmpty()) {
        streams.put(streamId, ""); // not self-registering: nothing to track
        return;
      }
      String nodeId = request.node().getId();
      if (streams.putIfAbsent(streamId, nodeId) == null) {
        connected(streamId, nodeId, dataplane.get());
      }
    }


    @Override
    public void streamEnded(long streamId) {
      String node = streams.remove(streamId);
      if (node != null && !node.isEmpty()) {
        disconnected(node);
      }
    }
  }
}
