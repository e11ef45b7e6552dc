package io.meshlite.api.resource;

import java.util.Objects;

/**
 * Identifies one stored resource. Global types use the empty mesh, as Kuma's Postgres schema does.
 *
 * @param type the type name, e.g. {@code Dataplane}
 * @param mesh the mesh, or {@code ""} for global types
 * @param name the resource name, unique per type and mesh
 */
public record ResourceKey(String type, String mesh, String name) {
  public ResourceKey {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(name, "name");
  }

  /** The key of a resource of a given type. */
  public static ResourceKey of(ResourceType type, String mesh, String name) {
    return new ResourceKey(type.name(), type.meshScoped() ? mesh : "", name);
  }

  @Override
  public String toString() {
    return mesh.isEmpty() ? type + "/" + name : type + "/" + mesh + "/" + name;
  }
}
