package io.meshlite.cp.ca;

import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the builtin CA of a mesh as soon as the mesh has mTLS enabled on a builtin backend (Kuma
 * does this when the Mesh is created or updated), so the CA Secrets exist even before a proxy
 * connects. Reacts to Mesh events and checks every mesh at start; the work runs on one thread of
 * its own. Idempotent and safe with several control planes (see {@link CaManager}); the xDS path
 * ensures the CA too, so a lost event only delays creation until a proxy needs it.
 */
public final class CaEnsurer implements Component {
  private static final Logger log = LoggerFactory.getLogger(CaEnsurer.class);

  private final ResourceStore store;
  private final CaManager cas;
  private ExecutorService worker;
  private ResourceStore.Subscription subscription;

  public CaEnsurer(ResourceStore store, Clock clock) {
    this.store = store;
    this.cas = new CaManager(store, clock);
  }

  @Override
  public synchronized void start() {
    if (worker != null) {
      return;
    }
    worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("ca-ensurer").daemon().factory());
    subscription = store.subscribe(this::onEvent);
    for (Resource mesh : store.list(ResourceTypes.MESH_TYPE, null)) {
      submit(mesh.name());
    }
  }

  @Override
  public synchronized void stop() {
    if (worker == null) {
      return;
    }
    subscription.close();
    worker.shutdownNow();
    worker = null;
  }

  @Override
  public boolean ready() {
    return worker != null;
  }

  @Override
  public String toString() {
    return "ca-ensurer";
  }

  private void onEvent(StoreEvent e) {
    if (e.kind() != StoreEvent.Kind.DELETED && e.key().type().equals(ResourceTypes.MESH_TYPE.name())) {
      submit(e.key().name());
    }
  }

  private synchronized void submit(String mesh) {
    if (worker == null) {
      return;
    }
    try {
      worker.execute(() -> ensure(mesh));
    } catch (RejectedExecutionException stopping) {
      // stopping
    }
  }

  /** Ensures the CA of the enabled builtin backend of {@code mesh}, if any. */
  void ensure(String mesh) {
    try {
      Optional<Resource> r = store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh));
      if (r.isEmpty()) {
        return;
      }
      Optional<MtlsSpec.Backend> enabled = MtlsSpec.parse(r.get().spec()).enabled();
      if (enabled.isPresent() && enabled.get().type().equals("builtin")) {
        cas.ensure(mesh, enabled.get());
      }
    } catch (RuntimeException e) {
      log.warn("cannot ensure the CA of a mesh mesh={} error={}", mesh, e.toString());
    }
  }
}
