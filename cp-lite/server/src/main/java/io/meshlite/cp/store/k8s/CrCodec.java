package io.meshlite.cp.store.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts between {@link Resource} and its Kubernetes object: a custom resource ({@code
 * kuma.io/v1alpha1}, Kuma's layout: top-level {@code mesh} for proto-based types, {@code spec}, the
 * {@code kuma.io/mesh} label) or, for Secret and GlobalSecret, a native Secret with the data under
 * key {@code value}.
 *
 * <p>What Kubernetes has no field for is kept in {@code meshlite.io/*} annotations: the store's
 * version counter (optimistic locking itself uses the object's resourceVersion), creation and
 * modification times from kuma-cp's clock, labels whose key or value Kubernetes would reject, and
 * the core name when it cannot be derived. Objects written by others (kubectl) have none of these:
 * they read as version 1 with the object's creationTimestamp.
 */
final class CrCodec {
  private static final Logger log = LoggerFactory.getLogger(CrCodec.class);

  static final String VERSION_ANNOTATION = "meshlite.io/version";
  static final String CREATED_ANNOTATION = "meshlite.io/creation-time";
  static final String MODIFIED_ANNOTATION = "meshlite.io/modification-time";
  static final String LABELS_ANNOTATION = "meshlite.io/labels";
  static final String ADDED_LABELS_ANNOTATION = "meshlite.io/added-labels";
  static final String SPEC_ANNOTATION = "meshlite.io/spec";
  static final String SECRET_KEY = "value";

  private static final List<String> OWN_ANNOTATIONS =
      List.of(
          VERSION_ANNOTATION,
          CREATED_ANNOTATION,
          MODIFIED_ANNOTATION,
          LABELS_ANNOTATION,
          ADDED_LABELS_ANNOTATION,
          SPEC_ANNOTATION,
          K8sNames.NAME_ANNOTATION);

  private final String systemNamespace;

  CrCodec(String systemNamespace) {
    this.systemNamespace = systemNamespace;
  }

  String systemNamespace() {
    return systemNamespace;
  }

  /** Where a resource goes: first choice, then (Secrets only) the fallback for a taken name. */
  List<K8sNames.Location> locations(KumaCrd crd, String mesh, String name) {
    List<K8sNames.Location> out = new ArrayList<>();
    out.add(K8sNames.locate(crd, mesh, name, systemNamespace));
    K8sNames.fallback(crd, mesh, name, systemNamespace).ifPresent(out::add);
    return out;
  }

  /** Where an already stored object is. */
  static K8sNames.Location locationOf(HasMetadata obj) {
    Map<String, String> ann = obj.getMetadata().getAnnotations();
    boolean generated = ann != null && ann.containsKey(K8sNames.NAME_ANNOTATION);
    return new K8sNames.Location(obj.getMetadata().getNamespace(), obj.getMetadata().getName(), generated);
  }

  /**
   * The object to write for {@code r}.
   *
   * @param loc where it goes
   * @param base the stored object on update (its foreign metadata, resourceVersion and status are
   *     kept), null on create
   * @param owner the owner reference to set on create, or null
   */
  HasMetadata encode(
      KumaCrd crd,
      Resource r,
      K8sNames.Location loc,
      long version,
      Instant created,
      Instant modified,
      HasMetadata base,
      OwnerReference owner) {
    ObjectMeta meta = objectMeta(r, loc.name(), loc.namespace(), version, created, modified, base, owner);
    if (loc.generated()) {
      meta.getAnnotations().put(K8sNames.NAME_ANNOTATION, r.name());
    }

    if (crd.nativeSecret()) {
      return secret(crd, r, meta);
    }
    GenericKubernetesResource cr = new GenericKubernetesResource();
    cr.setApiVersion(KumaCrds.API_VERSION);
    cr.setKind(crd.kind());
    cr.setMetadata(meta);
    if (crd.protoBased() && r.type().meshScoped()) {
      cr.setAdditionalProperty("mesh", r.mesh());
    }
    cr.setAdditionalProperty("spec", r.spec());
    if (base instanceof GenericKubernetesResource g && g.getAdditionalProperties().containsKey("status")) {
      cr.setAdditionalProperty("status", g.getAdditionalProperties().get("status"));
    }
    return cr;
  }

  /**
   * The metadata of the object that stores {@code r}: what the API server owns carried over from
   * {@code base} (the stored object, null on create), labels that Kubernetes accepts as labels and the
   * others in an annotation (so none is lost), and the store's version and times as annotations.
   */
  static ObjectMeta objectMeta(
      Resource r,
      String name,
      String namespace,
      long version,
      Instant created,
      Instant modified,
      HasMetadata base,
      OwnerReference owner) {
    ObjectMeta meta = new ObjectMeta();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (base != null) {
      ObjectMeta b = base.getMetadata();
      meta.setUid(b.getUid());
      meta.setResourceVersion(b.getResourceVersion());
      meta.setOwnerReferences(b.getOwnerReferences());
      meta.setFinalizers(b.getFinalizers());
      meta.setGeneration(b.getGeneration());
      meta.setCreationTimestamp(b.getCreationTimestamp());
      if (b.getAnnotations() != null) {
        b.getAnnotations().forEach((k, v) -> {
          if (!OWN_ANNOTATIONS.contains(k)) {
            annotations.put(k, v);
          }
        });
      }
    } else if (owner != null) {
      meta.setOwnerReferences(List.of(owner));
    }
    meta.setName(name);
    meta.setNamespace(namespace);

    Map<String, String> labels = new TreeMap<>();
    Map<String, String> odd = new TreeMap<>();
    r.meta().labels().forEach((k, v) -> {
      if (K8sNames.validLabelKey(k) && K8sNames.validLabelValue(v)) {
        labels.put(k, v);
      } else {
        odd.put(k, v);
      }
    });
    if (r.type().meshScoped() && !r.mesh().equals(labels.get(KumaCrds.MESH_LABEL))) {
      if (!labels.containsKey(KumaCrds.MESH_LABEL)) {
        annotations.put(ADDED_LABELS_ANNOTATION, KumaCrds.MESH_LABEL);
      }
      labels.put(KumaCrds.MESH_LABEL, r.mesh());
    }
    meta.setLabels(labels);
    annotations.put(VERSION_ANNOTATION, Long.toString(version));
    annotations.put(CREATED_ANNOTATION, created.toString());
    annotations.put(MODIFIED_ANNOTATION, modified.toString());
    if (!odd.isEmpty()) {
      annotations.put(LABELS_ANNOTATION, write(Json.mapper().valueToTree(odd)));
    }
    meta.setAnnotations(annotations);
    return meta;
  }

  private static Secret secret(KumaCrd crd, Resource r, ObjectMeta meta) {
    Secret s = new Secret();
    s.setApiVersion("v1");
    s.setKind("Secret");
    s.setMetadata(meta);
    s.setType(crd.type().meshScoped() ? KumaCrds.SECRET_TYPE : KumaCrds.GLOBAL_SECRET_TYPE);
    JsonNode data = r.spec().get("data");
    boolean plain = r.spec().size() == 1 && data != null && data.isTextual();
    if (plain) {
      s.setData(Map.of(SECRET_KEY, data.asText()));
    } else if (!r.spec().isEmpty()) {
      // Not Kuma's shape; keep it exactly rather than drop fields.
      meta.getAnnotations().put(SPEC_ANNOTATION, write(r.spec()));
    }
    return s;
  }

  /** The key of a stored object, or empty when it is not one of ours (e.g. a foreign Secret). */
  Optional<ResourceKey> keyOf(KumaCrd crd, HasMetadata obj) {
    if (obj == null || obj.getMetadata() == null || obj.getMetadata().getName() == null) {
      return Optional.empty();
    }
    if (crd.nativeSecret()) {
      String want = crd.type().meshScoped() ? KumaCrds.SECRET_TYPE : KumaCrds.GLOBAL_SECRET_TYPE;
      if (!(obj instanceof Secret s) || !want.equals(s.getType())) {
        return Optional.empty();
      }
    }
    return Optional.of(ResourceKey.of(crd.type(), meshOf(crd, obj), nameOf(crd, obj)));
  }

  /** The resource an object holds, or empty (logged) when the object is not usable. */
  Optional<Resource> decode(KumaCrd crd, HasMetadata obj) {
    Optional<ResourceKey> key = keyOf(crd, obj);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    ObjectMeta meta = obj.getMetadata();
    Map<String, String> ann = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    ObjectNode spec;
    try {
      spec = crd.nativeSecret() ? secretSpec((Secret) obj, ann) : crSpec(obj);
    } catch (IllegalArgumentException e) {
      log.warn(
          "ignoring a malformed object kind={} namespace={} name={} error={}",
          crd.kind(),
          meta.getNamespace(),
          meta.getName(),
          e.getMessage());
      return Optional.empty();
    }
    ResourceMeta rm = resourceMeta(obj);
    ResourceKey k = key.get();
    return Optional.of(new Resource(crd.type(), k.mesh(), k.name(), rm, spec));
  }

  /** The store's metadata of an object: its version, times and labels (the odd ones from their annotation). */
  static ResourceMeta resourceMeta(HasMetadata obj) {
    ObjectMeta meta = obj.getMetadata();
    Map<String, String> ann = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    String added = ann.get(ADDED_LABELS_ANNOTATION);
    if (added != null) {
      for (String k : added.split(",")) {
        labels.remove(k.trim());
      }
    }
    String odd = ann.get(LABELS_ANNOTATION);
    if (odd != null) {
      try {
        labels.putAll(Json.mapper().readValue(odd, new TypeReference<Map<String, String>>() {}));
      } catch (JsonProcessingException e) {
        log.warn("ignoring unreadable annotation {} on {}: {}", LABELS_ANNOTATION, meta.getName(), e.getOriginalMessage());
      }
    }
    Instant k8sCreated = parseTime(meta.getCreationTimestamp()).orElse(Instant.EPOCH);
    Instant created = parseTime(ann.get(CREATED_ANNOTATION)).orElse(k8sCreated);
    Instant modified = parseTime(ann.get(MODIFIED_ANNOTATION)).orElse(created);
    return new ResourceMeta(version(obj), created, modified, labels);
  }

  /** The store's version counter of an object: 1 when it was written by someone else. */
  static long version(HasMetadata obj) {
    Map<String, String> ann = obj.getMetadata().getAnnotations();
    String v = ann == null ? null : ann.get(VERSION_ANNOTATION);
    if (v != null) {
      try {
        long n = Long.parseLong(v);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    return 1;
  }

  /** The resourceVersion as a number, or -1 when the server uses a non-numeric one. */
  static long resourceVersion(HasMetadata obj) {
    String rv = obj.getMetadata() == null ? null : obj.getMetadata().getResourceVersion();
    if (rv == null) {
      return -1;
    }
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String nameOf(KumaCrd crd, HasMetadata obj) {
    ObjectMeta meta = obj.getMetadata();
    String annotated = meta.getAnnotations() == null ? null : meta.getAnnotations().get(K8sNames.NAME_ANNOTATION);
    if (annotated != null && !annotated.isEmpty()) {
      return annotated;
    }
    return K8sNames.coreName(crd, meta.getName(), meta.getNamespace());
  }

  private static String meshOf(KumaCrd crd, HasMetadata obj) {
    if (!crd.type().meshScoped()) {
      return "";
    }
    if (crd.protoBased() && obj instanceof GenericKubernetesResource g) {
      Object m = g.getAdditionalProperties().get("mesh");
      if (m instanceof String s && !s.isEmpty()) {
        return s;
      }
    }
    Map<String, String> labels = obj.getMetadata().getLabels();
    String l = labels == null ? null : labels.get(KumaCrds.MESH_LABEL);
    return l == null || l.isEmpty() ? "default" : l;
  }

  private static ObjectNode crSpec(HasMetadata obj) {
    Object raw = obj instanceof GenericKubernetesResource g ? g.getAdditionalProperties().get("spec") : null;
    if (raw == null) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode n = Json.mapper().valueToTree(raw);
    if (!n.isObject()) {
      throw new IllegalArgumentException("spec is not a mapping");
    }
    return (ObjectNode) n;
  }

  private static ObjectNode secretSpec(Secret s, Map<String, String> ann) {
    String kept = ann.get(SPEC_ANNOTATION);
    if (kept != null) {
      try {
        JsonNode n = Json.mapper().readTree(kept);
        if (n.isObject()) {
          return (ObjectNode) n;
        }
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("annotation " + SPEC_ANNOTATION + " is not JSON");
      }
    }
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    String value = s.getData() == null ? null : s.getData().get(SECRET_KEY);
    if (value != null) {
      spec.put("data", value);
    }
    return spec;
  }

  private static Optional<Instant> parseTime(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String write(JsonNode n) {
    try {
      return Json.mapper().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
