package io.meshlite.api.resource;

import java.util.Objects;

/**
 * Describes one kind of resource the way Kuma's registry does: its type name, its REST path and
 * whether it lives inside a mesh. REST routes, kumactl verbs and store keys are all derived from
 * this record, so a new type is one line in {@link ResourceTypes}.
 *
 * @param name the type name as written in YAML, e.g. {@code Dataplane}
 * @param plural the REST path segment, e.g. {@code dataplanes} or {@code traffic-permissions}
 * @param singular the name kumactl accepts for one resource, e.g. {@code dataplane}
 * @param scope whether the type lives in a mesh or is global
 * @param shape where the spec sits in the JSON body (inline for Kuma's proto types, under
 *     {@code spec} for targetRef policies)
 * @param readOnly true for types written only by the control plane (insights)
 */
public record ResourceType(
    String name, String plural, String singular, Scope scope, Shape shape, boolean readOnly) {

  /** Whether a type is scoped to a mesh or global. */
  public enum Scope {
    MESH,
    GLOBAL;

    /** The scope name as Kuma prints it in {@code /_resources}. */
    public String display() {
      return this == MESH ? "Mesh" : "Global";
    }
  }

  /** Where the spec lives in the REST/YAML body. */
  public enum Shape {
    /** Proto-based types: spec fields sit at the top level next to type/name/mesh. */
    INLINE,
    /** Plugin types: the spec sits under {@code spec}. */
    SPEC
  }

  public ResourceType {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(plural, "plural");
    Objects.requireNonNull(singular, "singular");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(shape, "shape");
  }

  /** True when resources of this type belong to a mesh. */
  public boolean meshScoped() {
    return scope == Scope.MESH;
  }

  @Override
  public String toString() {
    return name;
  }
}
