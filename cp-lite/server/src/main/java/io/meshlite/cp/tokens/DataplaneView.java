package io.meshlite.cp.tokens;

import io.meshlite.api.mesh.DataplaneSpec;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a token's tags and workload are checked against: the Dataplane's inbound tags (Kuma 2.x)
 * and labels.
 *
 * @param spec the Dataplane
 * @param labels its labels (for {@code kuma.io/workload})
 */
public record DataplaneView(DataplaneSpec spec, Map<String, String> labels) {
  public DataplaneView {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** Every value each tag has on any inbound. */
  Map<String, Set<String>> tags() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (DataplaneSpec.Inbound in : spec.networking().inbound()) {
      in.tags().forEach((k, v) -> out.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
    }
    return out;
  }
}
