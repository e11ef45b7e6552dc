package io.meshlite.cp.policy;

import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.mesh.Tags;
import io.meshlite.api.policy.TargetRef;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a {@link TargetRef} selects. */
public final class TargetRefs {
  private TargetRefs() {}

  /**
   * True if a top-level targetRef selects this inbound of a sidecar: {@code Mesh} every inbound,
   * {@code Dataplane} every inbound of the named Dataplane, {@code MeshSubset} the inbounds whose
   * tags include the given ones, {@code MeshService} the inbounds of that service and {@code
   * MeshServiceSubset} both.
   */
  public static boolean selectsInbound(TargetRef ref, String dataplaneName, Inbound inbound) {
    if (!ref.selectsSidecars()) {
      return false;
    }
    return switch (ref.kind()) {
      case Mesh -> true;
      case Dataplane -> ref.name().equals(dataplaneName);
      case MeshSubset -> hasAll(inbound.tags(), ref.tags());
      case MeshService -> ref.name().equals(inbound.service());
      case MeshServiceSubset -> ref.name().equals(inbound.service()) && hasAll(inbound.tags(), ref.tags());
      default -> false;
    };
  }

  /** The clients a {@code from[].targetRef} is about, as a subset of tag conditions. */
  public static Subset clients(TargetRef ref) {
    Map<String, String> tags = new LinkedHashMap<>();
    switch (ref.kind()) {
      case MeshService -> tags.put(Tags.SERVICE, ref.name());
      case MeshServiceSubset -> {
        tags.put(Tags.SERVICE, ref.name());
        tags.putAll(ref.tags());
      }
      case MeshSubset -> tags.putAll(ref.tags());
      default -> {
        // Mesh: every client
      }
    }
    return Subset.of(new java.util.TreeMap<>(tags));
  }

  private static boolean hasAll(Map<String, String> tags, Map<String, String> wanted) {
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      if (!e.getValue().equals(tags.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
