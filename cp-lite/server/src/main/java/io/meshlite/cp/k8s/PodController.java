package io.meshlite.cp.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshlite.api.mesh.Specs;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Dataplane per meshed pod ({@code kuma.io/sidecar-injected: "true"}), as Kuma's pod
 * controller does: created when the pod has an IP, updated when the pod, a Service of its
 * namespace or its Namespace changes, deleted with the pod. Watches pods, Services and Namespaces
 * with informers; one worker thread reconciles one pod at a time (keys are de-duplicated), failed
 * reconciles are retried with backoff. At start, Dataplanes left by pods that are gone are deleted.
 */
public final class PodController implements Component {
  private static final Logger log = LoggerFactory.getLogger(PodController.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final ResourceStore store;
  private final Set<String> queued = new LinkedHashSet<>();
  private final Map<String, ResourceKey> owned = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Namespace> namespaces;
  private Thread worker;
  private ScheduledExecutorService retries;
  private volatile boolean running;

  /**
   * @param client the cluster
   * @param store where Dataplanes go (the Kubernetes store)
   */
  public PodController(KubernetesClient client, ResourceStore store) {
    this.client = client;
    this.store = store;
  }

  @Override
  public void start() throws Exception {
    running = true;
    retries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("k8s-pod-retries").factory());
    pods = client.pods().inAnyNamespace().runnableInformer(0);
    services = client.services().inAnyNamespace().runnableInformer(0);
    namespaces = client.namespaces().runnableInformer(0);
    pods.addEventHandler(handler(p -> enqueue(key(p))));
    services.addEventHandler(handler(s -> enqueueNamespace(s.getMetadata().getNamespace())));
    namespaces.addEventHandler(handler(n -> enqueueNamespace(n.getMetadata().getName())));
    for (SharedIndexInformer<?> inf : List.of(pods, services, namespaces)) {
      inf.start().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    collectOrphans();
    worker = Thread.ofPlatform().name("k8s-pod-controller").daemon().start(this::work);
    log.info("pod controller started pods={} services={}", pods.getStore().list().size(), services.getStore().list().size());
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(java.util.function.Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(obj);
      }

      @Override
      public void onUpdate(T old, T obj) {
        if (old == null || !Objects.equals(old.getMetadata().getResourceVersion(), obj.getMetadata().getResourceVersion())) {
          onChange.accept(obj);
        }
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
        onChange.accept(obj);
      }
    };
  }

  /** Deletes controller-made Dataplanes whose pod no longer exists; remembers the others. */
  private void collectOrphans() {
    for (Resource dp : store.list(ResourceTypes.DATAPLANE, null)) {
      Map<String, String> labels = dp.meta().labels();
      String ns = labels.get(PodToDataplane.NAMESPACE_TAG);
      if (ns == null || !"sidecar".equals(labels.get(PodToDataplane.PROXY_TYPE_LABEL)) || !dp.name().endsWith("." + ns)) {
        continue;
      }
      String podKey = ns + "/" + dp.name().substring(0, dp.name().length() - ns.length() - 1);
      if (pods.getStore().getByKey(podKey) == null) {
        deleteQuietly(dp.key(), "its pod is gone");
      } else {
        owned.put(podKey, dp.key());
      }
    }
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private void enqueueNamespace(String ns) {
    for (Pod p : pods.getStore().list()) {
      if (ns.equals(p.getMetadata().getNamespace())) {
        enqueue(key(p));
      }
    }
  }

  private void enqueue(String podKey) {
    synchronized (queued) {
      if (queued.add(podKey)) {
        queued.notifyAll();
      }
    }
  }

  private void work() {
    while (running) {
      String next;
      synchronized (queued) {
        while (queued.isEmpty() && running) {
          try {
            queued.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!running) {
          return;
        }
        next = queued.iterator().next();
        queued.remove(next);
      }
      try {
        reconcile(next);
        failures.remove(next);
      } catch (RuntimeException e) {
        int n = failures.merge(next, 1, Integer::sum);
        long delay = Math.min(30_000L, 250L << Math.min(n, 7));
        log.warn("cannot reconcile pod={} attempt={} retryInMs={} error={}", next, n, delay, e.getMessage());
        if (running) {
          retries.schedule(() -> enqueue(next), delay, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  /** Brings the Dataplane of one pod in line with the pod. */
  void reconcile(String podKey) {
    Pod pod = pods.getStore().getByKey(podKey);
    if (pod == null || !PodToDataplane.meshed(pod)) {
      ResourceKey had = owned.remove(podKey);
      if (had != null) {
        deleteQuietly(had, pod == null ? "its pod was deleted" : "its pod is no longer meshed");
      }
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    List<Service> inNamespace =
        services.getStore().list().stream().filter(s -> ns.equals(s.getMetadata().getNamespace())).toList();
    Namespace namespace = namespaces.getStore().getByKey(ns);
    Optional<Resource> wanted = PodToDataplane.convert(pod, namespace, inNamespace);
    ResourceKey had = owned.get(podKey);
    if (wanted.isEmpty()) {
      if (had != null) {
        owned.remove(podKey);
        deleteQuietly(had, "its pod has no IP");
      }
      return;
    }
    Resource dp = wanted.get();
    try {
      Specs.validate(dp);
    } catch (ValidationException e) {
      throw new IllegalArgumentException("the Dataplane of the pod would be invalid: " + e.getMessage(), e);
    }
    if (had != null && !had.equals(dp.key())) {
      deleteQuietly(had, "its pod moved to mesh " + dp.mesh());
    }
    Optional<Resource> current = store.get(dp.key());
    if (current.isEmpty()) {
      store.create(dp);
      log.info("dataplane created dp={} mesh={} pod={}", dp.name(), dp.mesh(), podKey);
    } else if (!current.get().spec().equals(dp.spec()) || !current.get().meta().labels().equals(dp.meta().labels())) {
      store.update(dp.withMeta(dp.meta().withVersion(current.get().meta().version())));
      log.info("dataplane updated dp={} mesh={} pod={}", dp.name(), dp.mesh(), podKey);
    }
    owned.put(podKey, dp.key());
  }

  private void deleteQuietly(ResourceKey key, String why) {
    try {
      store.delete(key);
      log.info("dataplane deleted dp={} mesh={} reason=\"{}\"", key.name(), key.mesh(), why);
    } catch (StoreException.NotFound e) {
      // already gone
    }
  }

  @Override
  public boolean ready() {
    return running && worker != null;
  }

  @Override
  public void stop() {
    running = false;
    synchronized (queued) {
      queued.notifyAll();
    }
    for (SharedIndexInformer<?> inf : new SharedIndexInformer<?>[] {pods, services, namespaces}) {
      if (inf != null) {
        inf.stop();
      }
    }
    if (retries != null) {
      retries.shutdownNow();
    }
    if (worker != null) {
      worker.interrupt();
    }
  }

  @Override
  public String toString() {
    return "pod-controller";
  }
}
