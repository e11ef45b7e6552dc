package io.meshlite.cp.policy;

import io.meshlite.api.policy.TargetRef;
import java.util.Comparator;

/**
 * Kuma's merge order of the policies matching one proxy: ascending by the kind of the top-level
 * {@code targetRef} (Mesh, Dataplane, MeshSubset, MeshGateway, MeshService, ...,
 * MeshServiceSubset, MeshHTTPRoute), then by name in reverse alphabetical order, so that for equal
 * kinds the alphabetically first policy comes last and wins. (Origin and role, Kuma's other tie
 * breakers, are the same for every policy of a universal zone.)
 */
public final class PolicyOrder {
  private PolicyOrder() {}

  /**
   * A named policy's top-level targetRef.
   *
   * @param name the policy name
   * @param targetRef its top-level targetRef
   */
  public record Ranked(String name, TargetRef targetRef) {}

  /** Least specific first; the last one wins. */
  public static final Comparator<Ranked> ASCENDING =
      Comparator.comparing((Ranked r) -> r.targetRef().kind())
          .thenComparing(Ranked::name, Comparator.reverseOrder());
}
