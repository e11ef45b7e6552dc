package io.meshlite.cp.tokens;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whom a dataplane token is for: Kuma's claims {@code Name}, {@code Mesh}, {@code Tags}, {@code
 * Type} and {@code Workload}. Every field but the mesh may be empty, meaning "any".
 *
 * @param name the Dataplane name, or empty for any Dataplane of the mesh
 * @param mesh the mesh
 * @param tags inbound tags the Dataplane may use: for each tag, the allowed values
 * @param type the proxy type ({@code dataplane}), or empty
 * @param workload the {@code kuma.io/workload} label the Dataplane must carry, or empty
 */
public record DataplaneIdentity(
    String name, String mesh, Map<String, List<String>> tags, String type, String workload) {
  public DataplaneIdentity {
    name = Objects.requireNonNullElse(name, "");
    mesh = Objects.requireNonNullElse(mesh, "");
    Map<String, List<String>> copy = new TreeMap<>();
    if (tags != null) {
      tags.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    }
    tags = java.util.Collections.unmodifiableMap(copy);
    type = Objects.requireNonNullElse(type, "");
    workload = Objects.requireNonNullElse(workload, "");
  }

  /** The claims as Kuma writes them (capitalised Go field names), in Kuma's order. */
  Map<String, Object> claims() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("Name", name);
    c.put("Mesh", mesh);
    c.put("Tags", tags);
    c.put("Type", type);
    c.put("Workload", workload);
    return c;
  }
}
