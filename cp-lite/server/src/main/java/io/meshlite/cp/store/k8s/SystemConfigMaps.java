package io.meshlite.cp.store.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kuma's system {@code Config} resources (state the control plane keeps for itself, such as the
 * VIP table {@code kuma-<mesh>-dns-vips}) as Kuma keeps them on Kubernetes: one ConfigMap per
 * Config in the system namespace, named like the Config, with the text under the data key {@code
 * config}. There is no CRD for them. The store's version counter and times live in the same
 * {@code meshlite.io/*} annotations as on custom resources; a ConfigMap written by Kuma itself
 * reads as version 1. ConfigMaps without a {@code config} key (e.g. {@code kube-root-ca.crt}) are
 * not Configs.
 */
final class SystemConfigMaps {
  /** The data key of the Config's text, as Kuma. */
  static final String DATA_KEY = "config";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final EventLedger ledger;

  SystemConfigMaps(KubernetesClient client, String namespace, Clock clock, EventLedger ledger) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.ledger = ledger;
  }

  Resource create(Resource r) {
    checkName(r.name());
    Instant now = clock.instant();
    ConfigMap created;
    try {
      created = client.configMaps().inNamespace(namespace).resource(encode(r, 1, now, now, null)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new StoreException.AlreadyExists(r.key());
      }
      throw unavailable(e, r.key(), "create");
    }
    ledger.committed(StoreEvent.Kind.CREATED, r.key(), CrCodec.resourceVersion(created));
    return decode(created).orElseThrow();
  }

  Resource update(Resource r) {
    ConfigMap current = read(r.key()).orElseThrow(() -> new StoreException.NotFound(r.key()));
    long stored = CrCodec.version(current);
    if (stored != r.meta().version()) {
      throw new StoreException.Conflict(r.key(), r.meta().version(), stored);
    }
    Instant created = decode(current).map(c -> c.meta().creationTime()).orElse(clock.instant());
    ConfigMap updated;
    try {
      updated =
          client.configMaps().inNamespace(namespace).resource(encode(r, stored + 1, created, clock.instant(), current)).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        long now = read(r.key()).map(CrCodec::version).orElseThrow(() -> new StoreException.NotFound(r.key()));
        throw new StoreException.Conflict(r.key(), r.meta().version(), now);
      }
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new StoreException.NotFound(r.key());
      }
      throw unavailable(e, r.key(), "update");
    }
    ledger.committed(StoreEvent.Kind.UPDATED, r.key(), CrCodec.resourceVersion(updated));
    return decode(updated).orElseThrow();
  }

  void delete(ResourceKey key) {
    ConfigMap current = read(key).orElseThrow(() -> new StoreException.NotFound(key));
    List<StatusDetails> gone;
    try {
      gone = client.configMaps().inNamespace(namespace).withName(key.name()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new StoreException.NotFound(key);
      }
      throw unavailable(e, key, "delete");
    }
    if (gone.isEmpty()) {
      throw new StoreException.NotFound(key);
    }
    ledger.committed(StoreEvent.Kind.DELETED, key, CrCodec.resourceVersion(current));
  }

  Optional<Resource> get(ResourceKey key) {
    return read(key).flatMap(this::decode);
  }

  List<Resource> list() {
    List<ConfigMap> items;
    try {
      items = client.configMaps().inNamespace(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      throw unavailable(e, null, "list configmaps");
    }
    List<Resource> out = new ArrayList<>();
    for (ConfigMap cm : items) {
      decode(cm).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(Resource::name));
    return out;
  }

  /** Watches the system namespace's ConfigMaps; the caller starts and stops the informer. */
  SharedIndexInformer<ConfigMap> informer() {
    SharedIndexInformer<ConfigMap> inf = client.configMaps().inNamespace(namespace).runnableInformer(0);
    inf.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap obj) {
            observe(obj, false);
          }

          @Override
          public void onUpdate(ConfigMap old, ConfigMap obj) {
            if (old != null
                && Objects.equals(old.getMetadata().getResourceVersion(), obj.getMetadata().getResourceVersion())) {
              return; // a resync, not a change
            }
            observe(obj, false);
          }

          @Override
          public void onDelete(ConfigMap obj, boolean finalStateUnknown) {
            observe(obj, true);
          }
        });
    return inf;
  }

  /** The keys of the Configs an informer already knows (the state before going live). */
  static Map<ResourceKey, Long> existing(SharedIndexInformer<ConfigMap> inf) {
    Map<ResourceKey, Long> out = new LinkedHashMap<>();
    for (ConfigMap cm : inf.getStore().list()) {
      if (isConfig(cm)) {
        out.put(key(cm.getMetadata().getName()), CrCodec.resourceVersion(cm));
      }
    }
    return out;
  }

  private void observe(ConfigMap cm, boolean deleted) {
    if (cm.getMetadata() != null && cm.getMetadata().getName() != null && isConfig(cm)) {
      ledger.observed(key(cm.getMetadata().getName()), CrCodec.resourceVersion(cm), deleted);
    }
  }

  private Optional<ConfigMap> read(ResourceKey key) {
    if (!K8sNames.validName(key.name())) {
      return Optional.empty();
    }
    ConfigMap cm;
    try {
      cm = client.configMaps().inNamespace(namespace).withName(key.name()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return Optional.empty();
      }
      throw unavailable(e, key, "read");
    }
    return cm != null && isConfig(cm) ? Optional.of(cm) : Optional.empty();
  }

  private ConfigMap encode(Resource r, long version, Instant created, Instant modified, ConfigMap base) {
    JsonNode text = r.spec().get(DATA_KEY);
    if (r.spec().size() > 1 || (text != null && !text.isTextual() && !text.isNull())) {
      throw ValidationException.of("spec", "a Config holds only \"config\", a string (kept in a ConfigMap)");
    }
    ObjectMeta meta = CrCodec.objectMeta(r, r.name(), namespace, version, created, modified, base, null);
    ConfigMap cm = new ConfigMap();
    cm.setApiVersion("v1");
    cm.setKind("ConfigMap");
    cm.setMetadata(meta);
    cm.setData(Map.of(DATA_KEY, text == null || text.isNull() ? "" : text.asText()));
    return cm;
  }

  private Optional<Resource> decode(ConfigMap cm) {
    if (!isConfig(cm)) {
      return Optional.empty();
    }
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put(DATA_KEY, cm.getData().get(DATA_KEY));
    return Optional.of(
        new Resource(
            ResourceTypes.CONFIG, "", cm.getMetadata().getName(), CrCodec.resourceMeta(cm), spec));
  }

  private static boolean isConfig(ConfigMap cm) {
    return cm.getData() != null && cm.getData().get(DATA_KEY) != null;
  }

  private static ResourceKey key(String name) {
    return ResourceKey.of(ResourceTypes.CONFIG, "", name);
  }

  private static void checkName(String name) {
    if (!K8sNames.validName(name)) {
      throw ValidationException.of(
          "name", "\"" + name + "\" is not a valid ConfigMap name (a Config is kept as a ConfigMap: a DNS-1123 subdomain)");
    }
  }

  private static StoreException.Unavailable unavailable(KubernetesClientException e, ResourceKey key, String what) {
    String where = key == null ? what : what + " " + key;
    if (e.getCode() == HttpURLConnection.HTTP_UNAUTHORIZED || e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
      return new StoreException.Unavailable(
          "the Kubernetes API server refused to " + where + " (" + e.getCode()
              + "): kuma-cp's Role in its namespace must allow configmaps (kumactl install control-plane)", e);
    }
    return new StoreException.Unavailable("the Kubernetes API server cannot " + where + ": " + e.getMessage(), e);
  }
}
