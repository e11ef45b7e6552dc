package io.meshlite.cp.xds;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.vip.VipNames;
import io.meshlite.cp.vip.VipTable;
import io.meshlite.cp.xds.generator.MeshContext;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Builds each mesh's context once per change and shares it between the proxies of the mesh, so
 * one change in a mesh of N proxies reads the store once, not N times.
 *
 * <p>Every store event of a mesh bumps its revision before proxies are marked dirty; a cached
 * context is reused only while its revision is current. Two lanes racing to rebuild may both
 * build; both results are correct, so no lock is needed.
 */
final class MeshContexts {
  private record Entry(long revision, MeshContext context) {}

  private final ResourceStore store;
  private final UnaryOperator<MeshContext> enricher;
  private final ConcurrentHashMap<String, AtomicLong> revisions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  MeshContexts(ResourceStore store) {
    this(store, UnaryOperator.identity());
  }

  /** @param enricher adds what the store-only build leaves out (mTLS, permissions) */
  MeshContexts(ResourceStore store, UnaryOperator<MeshContext> enricher) {
    this.store = store;
    this.enricher = enricher;
  }

  /** Marks a mesh changed: the next {@link #get} rebuilds its context. */
  void invalidate(String mesh) {
    revisions.computeIfAbsent(mesh, m -> new AtomicLong()).incrementAndGet();
  }

  /** Marks every known mesh changed. */
  void invalidateAll() {
    revisions.values().forEach(AtomicLong::incrementAndGet);
  }

  /** The current context of a mesh, or empty if the Mesh does not exist. */
  Optional<MeshContext> get(String mesh) {
    long revision = revisions.computeIfAbsent(mesh, m -> new AtomicLong()).get();
    Entry e = cache.get(mesh);
    if (e != null && e.revision() == revision) {
      return Optional.of(e.context());
    }
    Optional<Resource> meshResource = store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh));
    if (meshResource.isEmpty()) {
      cache.remove(mesh);
      return Optional.empty();
    }
    MeshContext ctx =
        enricher.apply(
            MeshContext.build(
                meshResource.get(),
                store.list(ResourceTypes.DATAPLANE, mesh),
                VipTable.addressesOrEmpty(store.get(VipNames.configKey(mesh)))));
    if (e != null) {
      ctx = ctx.sharingWith(e.context());
    }
    cache.put(mesh, new Entry(revision, ctx));
    return Optional.of(ctx);
  }
}
