package io.meshlite.api.k8s;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes names of every resource type, as Kuma 2.14 registers them: group {@code kuma.io},
 * version {@code v1alpha1}, kind = the Kuma type name, plural = the lower-cased kind in English
 * plural ({@code meshes}, {@code meshretries}, {@code meshtlses}); mesh-scoped types are
 * namespaced, global types cluster-scoped; Secret and GlobalSecret are native Secrets.
 */
public final class KumaCrds {
  /** The API group of every Kuma custom resource. */
  public static final String GROUP = "kuma.io";

  /** The only served (and stored) version. */
  public static final String VERSION = "v1alpha1";

  /** {@code kuma.io/v1alpha1}. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** The label that puts a namespaced object (or a pod) into a mesh. */
  public static final String MESH_LABEL = "kuma.io/mesh";

  /** {@code type} of a native Secret that holds a Kuma Secret. */
  public static final String SECRET_TYPE = "system.kuma.io/secret";

  /** {@code type} of a native Secret that holds a Kuma GlobalSecret. */
  public static final String GLOBAL_SECRET_TYPE = "system.kuma.io/global-secret";

  /** The Kuma control plane's namespace unless configured otherwise. */
  public static final String DEFAULT_SYSTEM_NAMESPACE = "kuma-system";

  private static final Map<String, KumaCrd> BY_TYPE = index();

  private KumaCrds() {}

  private static Map<String, KumaCrd> index() {
    Map<String, KumaCrd> m = new LinkedHashMap<>();
    for (ResourceType t : ResourceTypes.all()) {
      String kind = t.name();
      String singular = kind.toLowerCase(Locale.ROOT);
      boolean secret = t == ResourceTypes.SECRET || t == ResourceTypes.GLOBAL_SECRET;
      m.put(kind, new KumaCrd(t, kind, plural(singular), singular, t.meshScoped(), secret));
    }
    return Map.copyOf(m);
  }

  /** English plural of a lower-case kind, the way Kuma's CRDs spell it. */
  static String plural(String singular) {
    if (singular.endsWith("s")
        || singular.endsWith("x")
        || singular.endsWith("ch")
        || singular.endsWith("sh")) {
      return singular + "es";
    }
    if (singular.endsWith("y") && singular.length() > 1 && "aeiou".indexOf(singular.charAt(singular.length() - 2)) < 0) {
      return singular.substring(0, singular.length() - 1) + "ies";
    }
    return singular + "s";
  }

  /** Every type, sorted by kind; includes the two native-Secret types. */
  public static List<KumaCrd> all() {
    return ResourceTypes.all().stream().map(t -> BY_TYPE.get(t.name())).toList();
  }

  /** The types that are stored as custom resources (every type except Secret and GlobalSecret). */
  public static List<KumaCrd> customResources() {
    return all().stream().filter(c -> !c.nativeSecret()).toList();
  }

  /** How {@code type} is stored. */
  public static KumaCrd of(ResourceType type) {
    return BY_TYPE.get(type.name());
  }

  /** The type with this Kubernetes kind. */
  public static Optional<KumaCrd> byKind(String kind) {
    return Optional.ofNullable(BY_TYPE.get(kind));
  }

  /**
   * The CustomResourceDefinition of one custom resource type ({@code apiextensions.k8s.io/v1}), with
   * a structural schema. Proto-based types have Kuma's schema: {@code mesh} (string) and an opaque
   * {@code spec} ({@code x-kubernetes-preserve-unknown-fields}). Plugin types (policies, services)
   * keep their spec (and status) as objects whose fields are preserved; Kuma types every field
   * there, we leave that validation to kuma-cp.
   *
   * @throws IllegalArgumentException for Secret and GlobalSecret, which have no CRD
   */
  public static ObjectNode definition(KumaCrd crd) {
    if (crd.nativeSecret()) {
      throw new IllegalArgumentException(crd.kind() + " is a native Secret, not a custom resource");
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode doc = f.objectNode();
    doc.put("apiVersion", "apiextensions.k8s.io/v1");
    doc.put("kind", "CustomResourceDefinition");
    doc.putObject("metadata").put("name", crd.crdName());
    ObjectNode spec = doc.putObject("spec");
    spec.put("group", GROUP);
    ObjectNode names = spec.putObject("names");
    names.putArray("categories").add("kuma");
    names.put("kind", crd.kind());
    names.put("listKind", crd.kind() + "List");
    names.put("plural", crd.plural());
    names.put("singular", crd.singular());
    spec.put("scope", crd.scope());
    ObjectNode version = spec.putArray("versions").addObject();
    version.put("name", VERSION);
    version.put("served", true);
    version.put("storage", true);
    ObjectNode schema = version.putObject("schema").putObject("openAPIV3Schema");
    schema.put("type", "object");
    ObjectNode props = schema.putObject("properties");
    props.putObject("apiVersion").put("type", "string");
    props.putObject("kind").put("type", "string");
    props.putObject("metadata").put("type", "object");
    if (crd.protoBased()) {
      props
          .putObject("mesh")
          .put("type", "string")
          .put("description", "Mesh is the name of the Kuma mesh this resource belongs to.");
      props
          .putObject("spec")
          .put("description", "Spec is the specification of the Kuma " + crd.kind() + " resource.")
          .put("x-kubernetes-preserve-unknown-fields", true);
    } else {
      props
          .putObject("spec")
          .put("type", "object")
          .put("description", "Spec is the specification of the Kuma " + crd.kind() + " resource.")
          .put("x-kubernetes-preserve-unknown-fields", true);
      props
          .putObject("status")
          .put("type", "object")
          .put("x-kubernetes-preserve-unknown-fields", true);
    }
    return doc;
  }
}
