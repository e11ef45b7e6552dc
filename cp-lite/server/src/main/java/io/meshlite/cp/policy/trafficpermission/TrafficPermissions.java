package io.meshlite.cp.policy.trafficpermission;

import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.policy.MeshTrafficPermissionSpec;
import io.meshlite.api.policy.MeshTrafficPermissionSpec.Action;
import io.meshlite.api.policy.TrafficPermissionSpec;
import io.meshlite.cp.policy.FromRules;
import io.meshlite.cp.policy.PolicyOrder;
import io.meshlite.cp.policy.Rule;
import io.meshlite.cp.policy.TargetRefs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The traffic permissions of one mesh, matched per inbound (see the package note). Immutable and
 * pure.
 */
public final class TrafficPermissions {
  /** A mesh without traffic permissions. */
  public static final TrafficPermissions NONE = new TrafficPermissions(List.of(), List.of());

  /**
   * A policy spec with its resource name.
   *
   * @param name the resource name
   * @param spec the parsed spec
   * @param <T> the spec type
   */
  public record Named<T>(String name, T spec) {
    public Named {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(spec, "spec");
    }
  }

  private final List<Named<MeshTrafficPermissionSpec>> meshPermissions;
  private final List<Named<TrafficPermissionSpec>> legacy;

  /**
   * @param meshPermissions the MeshTrafficPermissions of the mesh
   * @param legacy the legacy TrafficPermissions of the mesh
   */
  public TrafficPermissions(
      List<Named<MeshTrafficPermissionSpec>> meshPermissions, List<Named<TrafficPermissionSpec>> legacy) {
    this.meshPermissions = List.copyOf(meshPermissions);
    List<Named<TrafficPermissionSpec>> byName = new ArrayList<>(legacy);
    byName.sort(Comparator.comparing(Named::name));
    this.legacy = List.copyOf(byName);
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof TrafficPermissions t && meshPermissions.equals(t.meshPermissions) && legacy.equals(t.legacy));
  }

  @Override
  public int hashCode() {
    return Objects.hash(meshPermissions, legacy);
  }

  /** The MeshTrafficPermissions. */
  public List<Named<MeshTrafficPermissionSpec>> meshPermissions() {
    return meshPermissions;
  }

  /** The legacy TrafficPermissions, by name. */
  public List<Named<TrafficPermissionSpec>> legacy() {
    return legacy;
  }

  /** Who may call {@code inbound} of the Dataplane named {@code dataplaneName}. */
  public InboundPermission forInbound(String dataplaneName, Inbound inbound) {
    List<Named<MeshTrafficPermissionSpec>> matching = new ArrayList<>();
    for (Named<MeshTrafficPermissionSpec> p : meshPermissions) {
      if (TargetRefs.selectsInbound(p.spec().targetRef(), dataplaneName, inbound)) {
        matching.add(p);
      }
    }
    if (!matching.isEmpty()) {
      matching.sort(
          Comparator.comparing(
              (Named<MeshTrafficPermissionSpec> p) -> new PolicyOrder.Ranked(p.name(), p.spec().targetRef()),
              PolicyOrder.ASCENDING));
      List<FromRules.Item<Action>> items = new ArrayList<>();
      for (Named<MeshTrafficPermissionSpec> p : matching) {
        for (MeshTrafficPermissionSpec.From f : p.spec().from()) {
          items.add(new FromRules.Item<>(TargetRefs.clients(f.targetRef()), f.action()));
        }
      }
      List<Rule<Action>> rules = FromRules.build(items, (earlier, later) -> later);
      return new InboundPermission.MeshRules(matching.stream().map(Named::name).toList(), rules);
    }
    Named<TrafficPermissionSpec> best = null;
    long bestRank = -1;
    for (Named<TrafficPermissionSpec> tp : legacy) {
      for (Map<String, String> destination : tp.spec().destinations()) {
        long rank = rank(destination, inbound.tags());
        if (rank > bestRank) {
          bestRank = rank;
          best = tp;
        }
      }
    }
    if (best != null) {
      return new InboundPermission.Legacy(best.name(), best.spec().sources());
    }
    return new InboundPermission.DenyAll();
  }

  /**
   * Kuma's selector rank: -1 if the selector does not match the tags, else more exact values rank
   * higher, then more wildcard ({@code *}) values.
   */
  static long rank(Map<String, String> selector, Map<String, String> tags) {
    long exact = 0;
    long wildcard = 0;
    for (Map.Entry<String, String> e : selector.entrySet()) {
      String actual = tags.get(e.getKey());
      if (actual == null) {
        return -1;
      }
      if (e.getValue().equals(TrafficPermissionSpec.ANY)) {
        wildcard++;
      } else if (e.getValue().equals(actual)) {
        exact++;
      } else {
        return -1;
      }
    }
    return exact * 1_000 + wildcard;
  }
}
