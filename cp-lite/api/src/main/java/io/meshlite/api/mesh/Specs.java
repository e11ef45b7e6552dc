package io.meshlite.api.mesh;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceTypes;

/**
 * The spec check run for every resource before it is stored, in the REST API and in {@code kumactl
 * apply --dry-run}. Types without a typed spec are accepted as given.
 */
public final class Specs {
  private Specs() {}

  /**
   * Validates the spec of a resource of any type.
   *
   * @throws io.meshlite.api.validation.ValidationException listing every problem
   */
  public static void validate(Resource r) {
    if (r.type() == ResourceTypes.DATAPLANE) {
      DataplaneSpec.parse(r.spec());
    } else if (r.type() == ResourceTypes.MESH_TYPE) {
      MtlsSpec.parse(r.spec()); // the full mtls checks first: a superset of MeshSpec's
      MeshSpec.parse(r.spec());
    } else if (r.type() == ResourceTypes.MESH_TRAFFIC_PERMISSION) {
      io.meshlite.api.policy.MeshTrafficPermissionSpec.parse(r.spec());
    } else if (r.type() == ResourceTypes.TRAFFIC_PERMISSION) {
      io.meshlite.api.policy.TrafficPermissionSpec.parse(r.spec());
    }
  }
}
