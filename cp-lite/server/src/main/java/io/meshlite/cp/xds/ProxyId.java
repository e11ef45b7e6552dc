package io.meshlite.cp.xds;

import java.util.Objects;

/**
 * Identity of a proxy: xDS node id {@code <mesh>.<name>}, split at the first dot (mesh names
 * cannot contain dots; Dataplane names can).
 *
 * @param mesh the mesh
 * @param name the Dataplane name
 */
public record ProxyId(String mesh, String name) {
  public ProxyId {
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Parses a node id.
   *
   * @throws IllegalArgumentException if it is not {@code <mesh>.<name>}
   */
  public static ProxyId parse(String nodeId) {
    int dot = nodeId.indexOf('.');
    if (dot <= 0 || dot == nodeId.length() - 1) {
      throw new IllegalArgumentException(
          "node id \"" + nodeId + "\" is not valid (expected: <mesh>.<dataplane name>)");
    }
    return new ProxyId(nodeId.substring(0, dot), nodeId.substring(dot + 1));
  }

  /** The node id, {@code <mesh>.<name>}. */
  public String nodeId() {
    return mesh + "." + name;
  }

  @Override
  public String toString() {
    return nodeId();
  }
}
