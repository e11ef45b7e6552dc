package io.meshlite.cp.xds.generator;

/**
 * One concern of a proxy's Envoy configuration (inbound listeners, outbound listeners, admin, …).
 * Implementations are pure: same input, same output; they only add to {@code out}.
 */
@FunctionalInterface
public interface ResourceGenerator {
  /**
   * Adds this concern's resources for {@code proxy}.
   *
   * @param mesh the proxy's mesh
   * @param proxy the Dataplane being configured
   * @param out where resources go
   */
  void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out);
}
