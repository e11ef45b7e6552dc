package io.meshlite.cp.policy.trafficpermission;

import io.meshlite.api.policy.MeshTrafficPermissionSpec.Action;
import io.meshlite.cp.policy.Rule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Who may call one inbound once mTLS is on. */
public sealed interface InboundPermission {

  /**
   * MeshTrafficPermissions select the inbound.
   *
   * @param policies the names of the matching policies, in merge order
   * @param rules the merged rules (disjoint client subsets)
   */
  record MeshRules(List<String> policies, List<Rule<Action>> rules) implements InboundPermission {
    public MeshRules {
      policies = List.copyOf(policies);
      rules = List.copyOf(rules);
    }
  }

  /**
   * Only a legacy TrafficPermission selects the inbound.
   *
   * @param name the TrafficPermission's name (the RBAC policy key)
   * @param sources its {@code sources[].match} tag maps
   */
  record Legacy(String name, List<Map<String, String>> sources) implements InboundPermission {
    public Legacy {
      Objects.requireNonNull(name, "name");
      sources = List.copyOf(sources);
    }
  }

  /** Nothing permits traffic to the inbound. */
  record DenyAll() implements InboundPermission {}
}
