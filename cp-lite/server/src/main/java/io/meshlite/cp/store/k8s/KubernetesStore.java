package io.meshlite.cp.store.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resources as Kubernetes objects ({@code KUMA_STORE_TYPE=kubernetes}), the way Kuma 2.14 keeps
 * them: one custom resource per resource in group {@code kuma.io/v1alpha1}; Mesh and the other
 * global types cluster-scoped; mesh-scoped types namespaced, with Kuma's core name {@code
 * <name>.<namespace>} (other names live in the system namespace, see {@link K8sNames}); the mesh in
 * the {@code kuma.io/mesh} label (and in the top-level {@code mesh} field of proto-based types);
 * Secret and GlobalSecret as native Secrets in the system namespace; Kuma's internal {@code Config}
 * as ConfigMaps in the system namespace ({@link SystemConfigMaps}).
 *
 * <p><b>Versions.</b> The store's version is a counter kept in an annotation (1, 2, 3, ... as for
 * every store); the write itself is guarded by the object's resourceVersion: an update reads the
 * object, checks the counter, and replaces the object at the resourceVersion it read, so a
 * concurrent write anywhere (another kuma-cp, kubectl) makes it fail with {@link
 * StoreException.Conflict}. Every update changes the object (counter, modification time), so it
 * always produces a watch event.
 *
 * <p><b>Owner cascade.</b> Mesh-scoped custom resources carry an owner reference to their Mesh, so
 * the cluster's garbage collector removes them when a Mesh is deleted with kubectl; {@link
 * #delete} of a Mesh also deletes everything labelled with it (including Secrets and resources
 * created before the Mesh), synchronously.
 *
 * <p><b>Events.</b> One informer per type (and one for Secrets of the system namespace) reports
 * changes made by anyone; this store's own writes are announced when the API server confirms them.
 * {@link EventLedger} merges both so each change is announced once.
 */
public final class KubernetesStore implements ResourceStore {
  private static final Logger log = LoggerFactory.getLogger(KubernetesStore.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final Clock clock;
  private final CrCodec codec;
  private final EventLedger ledger = new EventLedger(System::nanoTime);
  private final Map<String, ResourceDefinitionContext> contexts = new HashMap<>();
  private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
  private final Map<KumaCrd, SharedIndexInformer<GenericKubernetesResource>> crInformers =
      new LinkedHashMap<>();
  private final Map<String, String> meshUids = new ConcurrentHashMap<>();
  private SharedIndexInformer<GenericKubernetesResource> meshInformer;
  private final SystemConfigMaps configs;

  /**
   * Connects to the cluster described by {@code config} and starts watching every type. Returns
   * once every watch has listed what exists.
   *
   * @param systemNamespace where mesh-wide objects and Secrets live ({@code
   *     store.kubernetes.systemNamespace})
   * @throws StoreException.Unavailable when the API server cannot be reached or a CRD is missing
   */
  public static KubernetesStore open(Config config, String systemNamespace, Clock clock) {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    try {
      return new KubernetesStore(client, true, systemNamespace, clock);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * The cluster to use: the one kuma-cp runs in (its ServiceAccount), else the one {@code
   * KUBECONFIG} or {@code ~/.kube/config} names (fabric8's usual discovery).
   *
   * @throws StoreException.Unavailable when none is configured, instead of dialling
   *     kubernetes.default.svc from outside a cluster
   */
  public static Config clusterConfig() {
    boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    boolean kubeconfig =
        System.getenv("KUBECONFIG") != null
            || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".kube", "config"));
    boolean master = System.getenv("KUBERNETES_MASTER") != null || System.getProperty("kubernetes.master") != null;
    if (!inCluster && !kubeconfig && !master) {
      throw new StoreException.Unavailable(
          "the kubernetes store needs a Kubernetes API server: run kuma-cp in a cluster (kumactl install control-plane) or set KUBECONFIG",
          null);
    }
    return Config.autoConfigure(null);
  }

  private KubernetesStore(KubernetesClient client, boolean ownsClient, String systemNamespace, Clock clock) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.clock = clock;
    this.codec = new CrCodec(systemNamespace);
    this.configs = new SystemConfigMaps(client, systemNamespace, clock, ledger);
    for (KumaCrd crd : KumaCrds.customResources()) {
      contexts.put(
          crd.kind(),
          new ResourceDefinitionContext.Builder()
              .withGroup(KumaCrds.GROUP)
              .withVersion(KumaCrds.VERSION)
              .withKind(crd.kind())
              .withPlural(crd.plural())
              .withNamespaced(crd.namespaced())
              .build());
    }
    startWatches();
  }

  /** The client this store talks through (shared with the Kubernetes controllers of kuma-cp). */
  public KubernetesClient client() {
    return client;
  }

  /** The namespace of mesh-wide objects and Secrets. */
  public String systemNamespace() {
    return codec.systemNamespace();
  }

  // ------------------------------------------------------------------ writes

  @Override
  public Resource create(Resource r) {
    if (isConfig(r.key())) {
      return configs.create(r);
    }
    KumaCrd crd = crdOf(r.type());
    Instant now = clock.instant();
    OwnerReference owner = null;
    if (crd.type() == ResourceTypes.DATAPLANE_INSIGHT) {
      owner = dataplaneOwner(r.mesh(), r.name()); // as Kuma: the insight goes with its Dataplane
    }
    if (owner == null && crd.namespaced() && !crd.nativeSecret()) {
      owner = meshOwner(r.mesh());
    }
    HasMetadata created = null;
    for (K8sNames.Location loc : codec.locations(crd, r.mesh(), r.name())) {
      HasMetadata obj = codec.encode(crd, r, loc, 1, now, now, null, owner);
      try {
        created = op(crd, loc.namespace(), loc.name()).create(obj);
        break;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw translate(e, r.key(), "create");
        }
        // Taken: by this very resource (a duplicate), or by another one sharing the name.
        HasMetadata occupant = op(crd, loc.namespace(), loc.name()).get();
        if (occupant == null || codec.keyOf(crd, occupant).filter(r.key()::equals).isPresent()) {
          throw new StoreException.AlreadyExists(r.key());
        }
      }
    }
    if (created == null) {
      throw new StoreException.AlreadyExists(r.key());
    }
    if (r.type() == ResourceTypes.MESH_TYPE && created.getMetadata().getUid() != null) {
      meshUids.put(r.name(), created.getMetadata().getUid());
    }
    ledger.committed(StoreEvent.Kind.CREATED, r.key(), CrCodec.resourceVersion(created));
    return decodeOwn(crd, created, r.key());
  }

  @Override
  public Resource update(Resource r) {
    if (isConfig(r.key())) {
      return configs.update(r);
    }
    KumaCrd crd = crdOf(r.type());
    HasMetadata current = read(crd, r.key()).orElseThrow(() -> new StoreException.NotFound(r.key()));
    long stored = CrCodec.version(current);
    if (stored != r.meta().version()) {
      throw new StoreException.Conflict(r.key(), r.meta().version(), stored);
    }
    Resource was =
        codec.decode(crd, current).orElseThrow(() -> new StoreException.NotFound(r.key()));
    HasMetadata obj =
        codec.encode(
            crd, r, CrCodec.locationOf(current), stored + 1, was.meta().creationTime(), clock.instant(), current, null);
    HasMetadata updated;
    try {
      updated = op(crd, obj.getMetadata().getNamespace(), obj.getMetadata().getName()).update(obj);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        long now = read(crd, r.key()).map(CrCodec::version).orElseThrow(() -> new StoreException.NotFound(r.key()));
        throw new StoreException.Conflict(r.key(), r.meta().version(), now);
      }
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new StoreException.NotFound(r.key());
      }
      throw translate(e, r.key(), "update");
    }
    ledger.committed(StoreEvent.Kind.UPDATED, r.key(), CrCodec.resourceVersion(updated));
    return decodeOwn(crd, updated, r.key());
  }

  @Override
  public void delete(ResourceKey key) {
    if (isConfig(key)) {
      configs.delete(key);
      return;
    }
    KumaCrd crd =
        ResourceTypes.byName(key.type()).map(KumaCrds::of).orElseThrow(() -> new StoreException.NotFound(key));
    HasMetadata current = read(crd, key).orElseThrow(() -> new StoreException.NotFound(key));
    if (!deleteObject(crd, current, key)) {
      throw new StoreException.NotFound(key);
    }
    if (crd.type() == ResourceTypes.MESH_TYPE) {
      meshUids.remove(key.name());
      cascade(key.name());
    }
    if (crd.type() == ResourceTypes.DATAPLANE) {
      // A Dataplane owns its DataplaneInsight (same mesh and name).
      ResourceKey insight = new ResourceKey(ResourceTypes.DATAPLANE_INSIGHT.name(), key.mesh(), key.name());
      KumaCrd insightCrd = KumaCrds.of(ResourceTypes.DATAPLANE_INSIGHT);
      read(insightCrd, insight).ifPresent(obj -> deleteObject(insightCrd, obj, insight));
    }
  }

  /** Deletes everything in a deleted mesh (the garbage collector may be doing the same). */
  private void cascade(String mesh) {
    for (KumaCrd crd : KumaCrds.all()) {
      if (!crd.type().meshScoped()) {
        continue;
      }
      for (HasMetadata obj : listObjects(crd)) {
        Optional<ResourceKey> key = codec.keyOf(crd, obj);
        if (key.isPresent() && key.get().mesh().equals(mesh)) {
          deleteObject(crd, obj, key.get());
        }
      }
    }
  }

  /** Deletes one object; false when it was already gone. */
  private boolean deleteObject(KumaCrd crd, HasMetadata obj, ResourceKey key) {
    List<StatusDetails> gone;
    try {
      gone = op(crd, obj.getMetadata().getNamespace(), obj.getMetadata().getName()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw translate(e, key, "delete");
    }
    if (gone.isEmpty()) {
      return false;
    }
    ledger.committed(StoreEvent.Kind.DELETED, key, CrCodec.resourceVersion(obj));
    return true;
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Optional<Resource> get(ResourceKey key) {
    Optional<ResourceType> type = ResourceTypes.byName(key.type());
    if (type.isEmpty()) {
      return Optional.empty();
    }
    if (isConfig(key)) {
      return configs.get(key);
    }
    KumaCrd crd = KumaCrds.of(type.get());
    return read(crd, key).flatMap(o -> codec.decode(crd, o)).filter(r -> r.key().equals(key));
  }

  @Override
  public List<Resource> list(ResourceType type, String mesh) {
    if (type == ResourceTypes.CONFIG) {
      return mesh == null || mesh.isEmpty() ? configs.list() : List.of();
    }
    KumaCrd crd = KumaCrds.of(type);
    List<Resource> out = new ArrayList<>();
    for (HasMetadata obj : listObjects(crd)) {
      codec.decode(crd, obj).filter(r -> mesh == null || r.mesh().equals(mesh)).ifPresent(out::add);
    }
    out.sort(
        Comparator.comparing(Resource::mesh)
            .thenComparing(Resource::name));
    return out;
  }

  @Override
  public Subscription subscribe(Consumer<StoreEvent> listener) {
    return ledger.subscribe(listener);
  }

  /** The stored object that holds exactly this key, wherever it may be. */
  private Optional<HasMetadata> read(KumaCrd crd, ResourceKey key) {
    for (K8sNames.Location loc : codec.locations(crd, key.mesh(), key.name())) {
      HasMetadata obj;
      try {
        obj = op(crd, loc.namespace(), loc.name()).get();
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          continue;
        }
        throw translate(e, key, "read");
      }
      if (obj != null && codec.keyOf(crd, obj).filter(key::equals).isPresent()) {
        return Optional.of(obj);
      }
    }
    return Optional.empty();
  }

  private List<? extends HasMetadata> listObjects(KumaCrd crd) {
    try {
      if (crd.nativeSecret()) {
        return client.secrets().inNamespace(codec.systemNamespace()).list().getItems();
      }
      var ops = client.genericKubernetesResources(contexts.get(crd.kind()));
      return crd.namespaced() ? ops.inAnyNamespace().list().getItems() : ops.list().getItems();
    } catch (KubernetesClientException e) {
      throw translate(e, null, "list " + crd.plural());
    }
  }

  private Resource decodeOwn(KumaCrd crd, HasMetadata obj, ResourceKey key) {
    return codec
        .decode(crd, obj)
        .orElseThrow(() -> new IllegalStateException("the API server returned an unreadable " + key));
  }

  /** An owner reference to the Dataplane of this mesh and name, or null when it is not stored. */
  private OwnerReference dataplaneOwner(String mesh, String name) {
    KumaCrd dpCrd = KumaCrds.of(ResourceTypes.DATAPLANE);
    Optional<HasMetadata> dp;
    try {
      dp = read(dpCrd, ResourceKey.of(ResourceTypes.DATAPLANE, mesh, name));
    } catch (RuntimeException e) {
      return null;
    }
    return dp.map(
            d ->
                new OwnerReferenceBuilder()
                    .withApiVersion(KumaCrds.API_VERSION)
                    .withKind("Dataplane")
                    .withName(d.getMetadata().getName())
                    .withUid(d.getMetadata().getUid())
                    .build())
        .orElse(null);
  }

  private OwnerReference meshOwner(String mesh) {
    String uid = meshUids.get(mesh);
    if (uid == null && meshInformer != null) {
      GenericKubernetesResource m = meshInformer.getStore().getByKey(mesh);
      uid = m == null ? null : m.getMetadata().getUid();
    }
    if (uid == null) {
      KumaCrd meshCrd = KumaCrds.of(ResourceTypes.MESH_TYPE);
      try {
        HasMetadata m = op(meshCrd, null, mesh).get();
        uid = m == null ? null : m.getMetadata().getUid();
      } catch (KubernetesClientException e) {
        uid = null;
      }
    }
    if (uid == null) {
      return null; // the Mesh does not exist (yet); the explicit cascade still covers it
    }
    meshUids.put(mesh, uid);
    return new OwnerReferenceBuilder()
        .withApiVersion(KumaCrds.API_VERSION)
        .withKind("Mesh")
        .withName(mesh)
        .withUid(uid)
        .build();
  }

  private static KumaCrd crdOf(ResourceType type) {
    KumaCrd crd = KumaCrds.of(type);
    if (crd == null) {
      throw new IllegalArgumentException("the kubernetes store has no place for type " + type.name());
    }
    return crd;
  }

  /** Kuma's system Config: a ConfigMap in the system namespace, not a custom resource. */
  private static boolean isConfig(ResourceKey key) {
    return key.type().equals(ResourceTypes.CONFIG.name());
  }

  /** The operations on one object, typed for its kind. */
  private ObjectOps op(KumaCrd crd, String namespace, String name) {
    if (crd.nativeSecret()) {
      io.fabric8.kubernetes.client.dsl.Resource<Secret> res =
          client.secrets().inNamespace(namespace).withName(name);
      return new ObjectOps(
          res::get,
          o -> client.secrets().inNamespace(namespace).resource((Secret) o).create(),
          o -> client.secrets().inNamespace(namespace).resource((Secret) o).update(),
          res::delete);
    }
    var ops = client.genericKubernetesResources(contexts.get(crd.kind()));
    if (crd.namespaced()) {
      var nsOps = ops.inNamespace(namespace);
      return new ObjectOps(
          () -> nsOps.withName(name).get(),
          o -> nsOps.resource((GenericKubernetesResource) o).create(),
          o -> nsOps.resource((GenericKubernetesResource) o).update(),
          () -> nsOps.withName(name).delete());
    }
    return new ObjectOps(
        () -> ops.withName(name).get(),
        o -> ops.resource((GenericKubernetesResource) o).create(),
        o -> ops.resource((GenericKubernetesResource) o).update(),
        () -> ops.withName(name).delete());
  }

  /** get/create/update/delete of one object, whatever its Java type. */
  private record ObjectOps(
      java.util.function.Supplier<? extends HasMetadata> getter,
      java.util.function.UnaryOperator<HasMetadata> creator,
      java.util.function.UnaryOperator<HasMetadata> updater,
      java.util.function.Supplier<List<StatusDetails>> deleter) {
    HasMetadata get() {
      return getter.get();
    }

    HasMetadata create(HasMetadata o) {
      return creator.apply(o);
    }

    HasMetadata update(HasMetadata o) {
      return updater.apply(o);
    }

    List<StatusDetails> delete() {
      return deleter.get();
    }
  }

  /** Maps an API failure to the store's exceptions; the message says what to check. */
  private static RuntimeException translate(KubernetesClientException e, ResourceKey key, String what) {
    String where = key == null ? what : what + " " + key;
    int code = e.getCode();
    String reason =
        e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    if (code == HttpURLConnection.HTTP_BAD_REQUEST || code == 422) {
      return ValidationException.of("", "the Kubernetes API server rejected the resource: " + reason);
    }
    if (code == HttpURLConnection.HTTP_NOT_FOUND && what.equals("create")) {
      return ValidationException.of(
          "name", "cannot " + where + ": " + reason + " (the namespace after the last '.' of the name must exist)");
    }
    if (code == HttpURLConnection.HTTP_NOT_FOUND) {
      return new StoreException.Unavailable(
          "cannot " + where + ": " + reason
              + " (are Kuma's CRDs installed? `kumactl install control-plane | kubectl apply -f -`)", e);
    }
    if (code == HttpURLConnection.HTTP_UNAUTHORIZED || code == HttpURLConnection.HTTP_FORBIDDEN) {
      return new StoreException.Unavailable(
          "the Kubernetes API server refused to " + where + " (" + code
              + "): check kuma-cp's ServiceAccount and ClusterRole", e);
    }
    return new StoreException.Unavailable("the Kubernetes API server cannot " + where + ": " + reason, e);
  }

  // ------------------------------------------------------------------ watches

  private void startWatches() {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (KumaCrd crd : KumaCrds.customResources()) {
      var ops = client.genericKubernetesResources(contexts.get(crd.kind()));
      SharedIndexInformer<GenericKubernetesResource> inf =
          crd.namespaced() ? ops.inAnyNamespace().runnableInformer(0) : ops.runnableInformer(0);
      inf.addEventHandler(handler(crd));
      if (crd.type() == ResourceTypes.MESH_TYPE) {
        meshInformer = inf;
      }
      informers.add(inf);
      crInformers.put(crd, inf);
      started.add(inf.start().toCompletableFuture());
    }
    SharedIndexInformer<Secret> secrets =
        client.secrets().inNamespace(codec.systemNamespace()).runnableInformer(0);
    secrets.addEventHandler(secretHandler());
    informers.add(secrets);
    started.add(secrets.start().toCompletableFuture());
    SharedIndexInformer<io.fabric8.kubernetes.api.model.ConfigMap> configMaps = configs.informer();
    informers.add(configMaps);
    started.add(configMaps.start().toCompletableFuture());
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
          .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new StoreException.Unavailable("interrupted while starting the Kubernetes watches", e);
    } catch (ExecutionException | TimeoutException e) {
      close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new StoreException.Unavailable(
          "cannot watch Kuma's resources on "
              + client.getMasterUrl()
              + ": "
              + cause.getMessage()
              + " (is the API server reachable, are Kuma's CRDs installed and may kuma-cp's ServiceAccount list and watch them?)",
          cause);
    }
    Map<ResourceKey, Long> existing = new HashMap<>();
    crInformers.forEach(
        (crd, inf) -> {
          for (HasMetadata o : inf.getStore().list()) {
            codec.keyOf(crd, o).ifPresent(k -> existing.put(k, CrCodec.resourceVersion(o)));
          }
        });
    for (Secret s : secrets.getStore().list()) {
      for (ResourceType t : List.of(ResourceTypes.SECRET, ResourceTypes.GLOBAL_SECRET)) {
        codec.keyOf(KumaCrds.of(t), s).ifPresent(k -> existing.put(k, CrCodec.resourceVersion(s)));
      }
    }
    existing.putAll(SystemConfigMaps.existing(configMaps));
    ledger.goLive(existing);
    log.info(
        "kubernetes store watching types={} systemNamespace={} server={}",
        informers.size(),
        codec.systemNamespace(),
        client.getMasterUrl());
  }

  private ResourceEventHandler<GenericKubernetesResource> handler(KumaCrd crd) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        observe(crd, obj, false);
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource obj) {
        if (old != null && java.util.Objects.equals(old.getMetadata().getResourceVersion(), obj.getMetadata().getResourceVersion())) {
          return; // a resync, not a change
        }
        observe(crd, obj, false);
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean finalStateUnknown) {
        observe(crd, obj, true);
      }
    };
  }

  private ResourceEventHandler<Secret> secretHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret obj) {
        observeSecret(obj, false);
      }

      @Override
      public void onUpdate(Secret old, Secret obj) {
        if (old != null && java.util.Objects.equals(old.getMetadata().getResourceVersion(), obj.getMetadata().getResourceVersion())) {
          return;
        }
        observeSecret(obj, false);
      }

      @Override
      public void onDelete(Secret obj, boolean finalStateUnknown) {
        observeSecret(obj, true);
      }
    };
  }

  private void observeSecret(Secret s, boolean deleted) {
    observe(KumaCrds.of(ResourceTypes.SECRET), s, deleted);
    observe(KumaCrds.of(ResourceTypes.GLOBAL_SECRET), s, deleted);
  }

  private void observe(KumaCrd crd, HasMetadata obj, boolean deleted) {
    try {
      if (crd.type() == ResourceTypes.MESH_TYPE && obj.getMetadata().getUid() != null) {
        if (deleted) {
          meshUids.remove(obj.getMetadata().getName(), obj.getMetadata().getUid());
        } else {
          meshUids.put(obj.getMetadata().getName(), obj.getMetadata().getUid());
        }
      }
      codec.keyOf(crd, obj).ifPresent(k -> ledger.observed(k, CrCodec.resourceVersion(obj), deleted));
    } catch (RuntimeException e) {
      log.warn("cannot handle a watch event kind={} name={} error={}", crd.kind(), obj.getMetadata().getName(), e.toString());
    }
  }

  @Override
  public void close() {
    for (SharedIndexInformer<? extends HasMetadata> inf : informers) {
      try {
        inf.stop();
      } catch (RuntimeException e) {
        log.debug("stopping an informer failed: {}", e.toString());
      }
    }
    informers.clear();
    ledger.close();
    if (ownsClient) {
      client.close();
    }
  }
}
