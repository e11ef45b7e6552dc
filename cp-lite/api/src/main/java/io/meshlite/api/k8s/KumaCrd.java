package io.meshlite.api.k8s;

import io.meshlite.api.resource.ResourceType;
import java.util.Objects;

/**
 * How one resource type is stored in Kubernetes.
 *
 * @param type the Kuma resource type
 * @param kind the Kubernetes kind (the Kuma type name, e.g. {@code MeshTrafficPermission})
 * @param plural the plural resource name in URLs, e.g. {@code meshtrafficpermissions}
 * @param singular the singular name, e.g. {@code meshtrafficpermission}
 * @param namespaced true for mesh-scoped types (namespaced objects), false for cluster-scoped ones
 * @param nativeSecret true for Secret and GlobalSecret, which Kuma keeps as native {@code v1/Secret}
 *     objects (of type {@link KumaCrds#SECRET_TYPE} / {@link KumaCrds#GLOBAL_SECRET_TYPE}) in the
 *     system namespace instead of a custom resource
 */
public record KumaCrd(
    ResourceType type,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    boolean nativeSecret) {

  public KumaCrd {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
    Objects.requireNonNull(singular, "singular");
  }

  /** The CRD's object name, {@code <plural>.kuma.io}. */
  public String crdName() {
    return plural + "." + KumaCrds.GROUP;
  }

  /** True for proto-based types: a top-level {@code mesh} field next to an opaque {@code spec}. */
  public boolean protoBased() {
    return type.shape() == ResourceType.Shape.INLINE;
  }

  /** {@code Namespaced} or {@code Cluster}, as a CRD's {@code spec.scope} spells it. */
  public String scope() {
    return namespaced ? "Namespaced" : "Cluster";
  }
}
