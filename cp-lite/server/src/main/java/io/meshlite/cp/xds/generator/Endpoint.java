package io.meshlite.cp.xds.generator;

import io.meshlite.api.mesh.Tags;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One reachable instance of a service: a Ready inbound of some Dataplane in the mesh.
 *
 * @param address the inbound's address (its own, or the Dataplane's)
 * @param port the inbound's port (where that proxy's inbound listener accepts)
 * @param tags the inbound's tags
 */
public record Endpoint(String address, int port, Map<String, String> tags) {
  public Endpoint {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  /** The tags used for subset load balancing: every tag except {@code kuma.io/service}, as Kuma. */
  public Map<String, String> lbTags() {
    TreeMap<String, String> t = new TreeMap<>(tags);
    t.remove(Tags.SERVICE);
    return t;
  }
}
