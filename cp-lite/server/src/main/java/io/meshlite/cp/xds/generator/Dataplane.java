package io.meshlite.cp.xds.generator;

import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceTypes;
import java.util.Objects;

/**
 * A Dataplane of a mesh with its validated spec.
 *
 * @param mesh the mesh
 * @param name the Dataplane name
 * @param spec the typed spec
 * @param metadata what its connected proxy reported in its node metadata ({@link
 *     ProxyMetadata#NONE} outside an xDS stream)
 */
public record Dataplane(String mesh, String name, DataplaneSpec spec, ProxyMetadata metadata) {
  public Dataplane {
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(metadata, "metadata");
  }

  /** A Dataplane without proxy metadata. */
  public Dataplane(String mesh, String name, DataplaneSpec spec) {
    this(mesh, name, spec, ProxyMetadata.NONE);
  }

  /** The same Dataplane as seen by a connected proxy that reported this metadata. */
  public Dataplane withMetadata(ProxyMetadata m) {
    return new Dataplane(mesh, name, spec, m);
  }

  /**
   * Reads a stored Dataplane resource.
   *
   * @throws io.meshlite.api.validation.ValidationException if its spec is not valid
   */
  public static Dataplane of(Resource r) {
    if (r.type() != ResourceTypes.DATAPLANE) {
      throw new IllegalArgumentException("not a Dataplane: " + r.key());
    }
    return new Dataplane(r.mesh(), r.name(), DataplaneSpec.parse(r.spec()));
  }

  /** The xDS node id of this Dataplane's proxy, {@code <mesh>.<name>}. */
  public String nodeId() {
    return mesh + "." + name;
  }
}
