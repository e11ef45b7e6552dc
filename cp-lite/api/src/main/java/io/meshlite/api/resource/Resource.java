package io.meshlite.api.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One resource: its type, identity, store metadata and spec. The spec is kept as JSON so that every
 * Kuma type can be stored and served; typed views such as {@link
 * io.meshlite.api.mesh.DataplaneSpec} are parsed from it where behaviour needs them.
 *
 * <p>The spec node is copied on the way in and must not be mutated by callers.
 *
 * @param type the resource type
 * @param mesh the mesh, {@code ""} for global types
 * @param name the name
 * @param meta store metadata
 * @param spec the spec fields (for inline types: every top-level field except the metadata ones)
 */
public record Resource(ResourceType type, String mesh, String name, ResourceMeta meta, ObjectNode spec) {
  public Resource {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(spec, "spec");
    mesh = type.meshScoped() ? Objects.requireNonNull(mesh, "mesh") : "";
    spec = spec.deepCopy();
  }

  /** The store key of this resource. */
  public ResourceKey key() {
    return new ResourceKey(type.name(), mesh, name);
  }

  public Resource withMeta(ResourceMeta m) {
    return new Resource(type, mesh, name, m, spec);
  }

  public Resource withSpec(ObjectNode s) {
    return new Resource(type, mesh, name, meta, s);
  }
}
