package io.meshlite.cp.manager;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshlite.api.mesh.MeshSpec;
import io.meshlite.api.mesh.Specs;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single write path over a {@link ResourceStore}. Every write — REST, kumactl, the control
 * plane's own components — goes through here so that the same rules hold everywhere:
 *
 * <ul>
 *   <li>the spec is validated and <em>all</em> problems are reported with their field paths;
 *   <li>a mesh-scoped resource needs its Mesh ("Mesh is not found" otherwise);
 *   <li>computed labels are set as Kuma's universal zone control plane sets them ({@code
 *       kuma.io/display-name}, {@code kuma.io/origin: zone}, and for mesh-scoped types {@code
 *       kuma.io/mesh} and {@code kuma.io/env: universal}); user values for them are overwritten;
 *   <li>{@link #upsert} reads the stored version and updates with it (optimistic locking); on a
 *       concurrent change it retries up to {@code store.upsert.conflictRetryMaxTimes} times with a
 *       doubling backoff, then gives up with {@link StoreException.Conflict};
 *   <li>a Mesh with Dataplanes cannot be deleted unless {@code store.unsafeDelete}; deleting a Mesh
 *       deletes everything in it (the store's owner cascade);
 *   <li>the {@code mtls.enabledBackend} of a Mesh cannot change while mTLS is on.
 * </ul>
 *
 * <p>Thread-safe: it holds no state besides the store.
 */
public final class ResourceManager {
  private static final Logger log = LoggerFactory.getLogger(ResourceManager.class);

  /** The name of the Mesh created at start unless {@code defaults.skipMeshCreation}. */
  public static final String DEFAULT_MESH = "default";

  /** Computed label: the name as the user gave it. */
  public static final String DISPLAY_NAME = "kuma.io/display-name";

  /** Computed label: where the resource was created ({@code zone} here). */
  public static final String ORIGIN = "kuma.io/origin";

  /** Computed label: the mesh of a mesh-scoped resource. */
  public static final String MESH = "kuma.io/mesh";

  /** Computed label: the environment of the zone ({@code universal}). */
  public static final String ENV = "kuma.io/env";

  private static final List<String> COMPUTED = List.of(DISPLAY_NAME, ORIGIN, MESH, ENV, "kuma.io/zone");

  /**
   * Behaviour switches taken from the {@code store} config section.
   *
   * @param unsafeDelete allow deleting a Mesh that still has Dataplanes
   * @param conflictRetryMaxTimes how often an upsert is retried on a version conflict
   * @param conflictRetryBaseBackoff the first wait between retries (doubles each time)
   */
  public record Settings(boolean unsafeDelete, int conflictRetryMaxTimes, Duration conflictRetryBaseBackoff) {
    /** The settings of a config's {@code store} section. */
    public static Settings from(CpConfig.Store store) {
      return new Settings(
          store.unsafeDelete(),
          store.upsert().conflictRetryMaxTimes(),
          store.upsert().conflictRetryBaseBackoff());
    }
  }

  private final ResourceStore store;
  private final Settings settings;

  public ResourceManager(ResourceStore store, Settings settings) {
    this.store = store;
    this.settings = settings;
  }

  /** The store underneath, for readers that need no rules (xDS, insights). */
  public ResourceStore store() {
    return store;
  }

  // ---------------------------------------------------------------- reads

  /** The resource with this type, mesh (ignored for global types) and name. */
  public Optional<Resource> get(ResourceType type, String mesh, String name) {
    return store.get(ResourceKey.of(type, mesh, name));
  }

  /** True if a Mesh of this name exists. */
  public boolean meshExists(String mesh) {
    return store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh)).isPresent();
  }

  /**
   * One page of the resources of a type, sorted by mesh then name.
   *
   * @param mesh only this mesh, or null for all meshes (ignored for global types)
   */
  public Page list(ResourceType type, String mesh, ListQuery q) {
    return list(type, mesh, q, r -> true);
  }

  /**
   * One page of the resources of a type that also pass {@code filter} (applied before paging, so
   * totals and offsets count only matches), sorted by mesh then name.
   *
   * @param mesh only this mesh, or null for all meshes (ignored for global types)
   */
  public Page list(ResourceType type, String mesh, ListQuery q, Predicate<Resource> filter) {
    List<Resource> all = store.list(type, type.meshScoped() ? mesh : null);
    List<Resource> matching = new ArrayList<>();
    for (Resource r : all) {
      if (r.name().contains(q.nameContains()) && hasLabels(r, q.labels()) && filter.test(r)) {
        matching.add(r);
      }
    }
    int from = Math.min(q.offset(), matching.size());
    int to = (int) Math.min((long) from + q.size(), matching.size());
    OptionalInt next = to < matching.size() ? OptionalInt.of(to) : OptionalInt.empty();
    return new Page(matching.subList(from, to), matching.size(), next);
  }

  private static boolean hasLabels(Resource r, Map<String, String> wanted) {
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      if (!e.getValue().equals(r.meta().labels().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Checks a resource as a write would, without storing it.
   *
   * @throws ValidationException listing every problem of the spec
   * @throws ManagerException.MeshNotFound if its Mesh does not exist
   */
  public void validate(Resource r) {
    validateSpec(r);
    requireMesh(r);
  }

  /**
   * Creates a resource.
   *
   * @throws StoreException.AlreadyExists if it exists
   */
  public Resource create(Resource r) {
    validate(r);
    return store.create(withComputedLabels(r));
  }

  /**
   * Replaces a resource; {@code r.meta().version()} must be the version the caller read.
   *
   * @throws StoreException.NotFound if it does not exist
   * @throws StoreException.Conflict if it was changed since it was read
   */
  public Resource update(Resource r) {
    validate(r);
    Resource current = store.get(r.key()).orElseThrow(() -> new StoreException.NotFound(r.key()));
    checkMeshChange(current, r);
    return store.update(withComputedLabels(r));
  }

  /**
   * Creates the resource or replaces the stored one (REST {@code PUT}). The stored version is used
   * for optimistic locking, and the write is retried on a concurrent change; creation time is kept.
   *
   * @throws StoreException.Conflict if it kept changing concurrently
   */
  public UpsertResult upsert(Resource r) {
    validate(r);
    Resource labelled = withComputedLabels(r);
    int attempt = 0;
    while (true) {
      try {
        Optional<Resource> current = store.get(r.key());
        if (current.isEmpty()) {
          Resource created = store.create(labelled.withMeta(labelled.meta().withVersion(0)));
          log.info("resource created key={} version={}", created.key(), created.meta().version());
          return new UpsertResult(created, true);
        }
        checkMeshChange(current.get(), r);
        Resource updated =
            store.update(labelled.withMeta(labelled.meta().withVersion(current.get().meta().version())));
        log.info("resource updated key={} version={}", updated.key(), updated.meta().version());
        return new UpsertResult(updated, false);
      } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
        // Someone else wrote (or deleted) it between our read and our write: read again.
        if (attempt >= settings.conflictRetryMaxTimes()) {
          throw e;
        }
        backoff(attempt++);
        log.debug("upsert retry key={} attempt={} cause={}", r.key(), attempt, e.getMessage());
      }
    }
  }

  /**
   * Deletes a resource. Deleting a Mesh deletes everything in it; it is refused while Dataplanes
   * are in it, unless {@code store.unsafeDelete}.
   *
   * @throws StoreException.NotFound if it does not exist
   * @throws ValidationException if it is a Mesh with Dataplanes
   */
  public void delete(ResourceType type, String mesh, String name) {
    ResourceKey key = ResourceKey.of(type, mesh, name);
    if (type == ResourceTypes.MESH_TYPE && !settings.unsafeDelete()) {
      if (store.get(key).isEmpty()) {
        throw new StoreException.NotFound(key);
      }
      if (!store.list(ResourceTypes.DATAPLANE, name).isEmpty()) {
        throw new ValidationException(
            "Resource is not valid",
            List.of(new Violation("mesh", "unable to delete mesh, there are still some dataplanes attached")));
      }
    }
    store.delete(key);
    log.info("resource deleted key={}", key);
  }

  /**
   * Creates the {@code default} Mesh if it does not exist (called at start unless {@code
   * defaults.skipMeshCreation}).
   *
   * @return true if it was created now
   */
  public boolean ensureDefaultMesh() {
    if (meshExists(DEFAULT_MESH)) {
      return false;
    }
    try {
      create(
          new Resource(
              ResourceTypes.MESH_TYPE,
              "",
              DEFAULT_MESH,
              ResourceMeta.draft(Map.of()),
              JsonNodeFactory.instance.objectNode()));
      log.info("default mesh created mesh={}", DEFAULT_MESH);
      return true;
    } catch (StoreException.AlreadyExists e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- rules

  private static void validateSpec(Resource r) {
    try {
      Specs.validate(r);
    } catch (ValidationException e) {
      throw e;
    } catch (RuntimeException e) {
      // A validator must never turn odd input into a server error: report it as invalid input.
      log.warn("spec validator failed type={} name={} error={}", r.type(), r.name(), e.toString());
      throw new ValidationException(
          "Resource is not valid", List.of(new Violation("", "spec cannot be checked: " + e.getMessage())));
    }
  }

  private void requireMesh(Resource r) {
    if (r.type().meshScoped() && !meshExists(r.mesh())) {
      throw new ManagerException.MeshNotFound(r.mesh());
    }
  }

  private static void checkMeshChange(Resource current, Resource next) {
    if (current.type() != ResourceTypes.MESH_TYPE) {
      return;
    }
    Optional<String> before;
    try {
      before = MeshSpec.parse(current.spec()).enabledMtlsBackend();
    } catch (ValidationException e) {
      return; // stored before the rules were stricter; let the new spec through
    }
    Optional<String> after = MeshSpec.parse(next.spec()).enabledMtlsBackend();
    if (before.isPresent() && after.isPresent() && !before.equals(after)) {
      throw new ValidationException(
          "Resource is not valid",
          List.of(
              new Violation(
                  "mtls.enabledBackend",
                  "Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA")));
    }
  }

  private static Resource withComputedLabels(Resource r) {
    return r.withMeta(r.meta().withLabels(labels(r)));
  }

  /** The user's labels without spoofed computed ones, plus the computed labels. */
  static Map<String, String> labels(Resource r) {
    Map<String, String> out = new java.util.TreeMap<>(r.meta().labels());
    COMPUTED.forEach(out::remove);
    out.put(DISPLAY_NAME, r.name());
    out.put(ORIGIN, "zone");
    if (r.type().meshScoped()) {
      out.put(MESH, r.mesh());
      out.put(ENV, "universal");
    }
    return out;
  }

  private void backoff(int attempt) {
    long millis = settings.conflictRetryBaseBackoff().toMillis() << Math.min(attempt, 10);
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException.Unavailable("interrupted while retrying an upsert", e);
    }
  }
}
