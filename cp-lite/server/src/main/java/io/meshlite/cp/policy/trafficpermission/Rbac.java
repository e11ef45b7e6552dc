package io.meshlite.cp.policy.trafficpermission;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshlite.api.mesh.Tags;
import io.meshlite.api.policy.MeshTrafficPermissionSpec.Action;
import io.meshlite.api.policy.TrafficPermissionSpec;
import io.meshlite.cp.policy.Rule;
import io.meshlite.cp.policy.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy RBAC for an {@link InboundPermission}, in Kuma 2.14's shapes: an ALLOW rule set with one
 * policy ({@code MeshTrafficPermission} or the legacy TrafficPermission's name) whose permission is
 * {@code any} and whose principals are the allowed clients; {@code rules: {}} denies everyone.
 * AllowWithShadowDeny clients are allowed and also listed in DENY shadow rules.
 */
public final class Rbac {
  /** Name of the network RBAC filter. */
  public static final String NETWORK_FILTER = "envoy.filters.network.rbac";

  /** Name of the HTTP RBAC filter. */
  public static final String HTTP_FILTER = "envoy.filters.http.rbac";

  /** The RBAC policy key of MeshTrafficPermission rules. */
  public static final String POLICY_NAME = "MeshTrafficPermission";

  private Rbac() {}

  /**
   * The rules and optional shadow rules of one inbound.
   *
   * @param rules enforced rules
   * @param shadow rules only counted in stats ({@code shadow_denied})
   */
  public record Rules(RBAC rules, Optional<RBAC> shadow) {}

  /** The RBAC rules of a permission in mesh {@code mesh}. */
  public static Rules rules(String mesh, InboundPermission permission) {
    return switch (permission) {
      case InboundPermission.DenyAll d -> new Rules(RBAC.getDefaultInstance(), Optional.empty());
      case InboundPermission.Legacy l -> {
        List<Principal> principals = new ArrayList<>();
        for (Map<String, String> source : l.sources()) {
          principals.add(legacyPrincipal(mesh, source));
        }
        yield new Rules(allow(l.name(), principals), Optional.empty());
      }
      case InboundPermission.MeshRules m -> {
        List<Principal> allowed = new ArrayList<>();
        List<Principal> shadowDenied = new ArrayList<>();
        for (Rule<Action> r : m.rules()) {
          if (r.conf() == Action.Deny) {
            continue;
          }
          Principal p = principal(mesh, r.subset().tags());
          allowed.add(p);
          if (r.conf() == Action.AllowWithShadowDeny) {
            shadowDenied.add(p);
          }
        }
        Optional<RBAC> shadow =
            shadowDenied.isEmpty()
                ? Optional.empty()
                : Optional.of(
                    RBAC.newBuilder()
                        .setAction(RBAC.Action.DENY)
                        .putPolicies(POLICY_NAME, policy(shadowDenied))
                        .build());
        yield new Rules(allow(POLICY_NAME, allowed), shadow);
      }
    };
  }

  /**
   * The network RBAC filter; {@code statName} is the listener name, sanitised and dotted as Kuma
   * does, so denials count in {@code inbound_<address>_<port>.rbac.denied}.
   */
  public static Filter networkFilter(String statName, Rules r) {
    io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.Builder b =
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder()
            .setStatPrefix(sanitize(statName) + ".")
            .setRules(r.rules());
    r.shadow().ifPresent(b::setShadowRules);
    return Filter.newBuilder().setName(NETWORK_FILTER).setTypedConfig(Any.pack(b.build())).build();
  }

  /** The HTTP RBAC filter (to go first in the connection manager's filters). */
  public static HttpFilter httpFilter(Rules r) {
    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.Builder b =
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(r.rules());
    r.shadow().ifPresent(b::setShadowRules);
    return HttpFilter.newBuilder().setName(HTTP_FILTER).setTypedConfig(Any.pack(b.build())).build();
  }

  /** Kuma's metric-name sanitising: anything but letters, digits, '_' and '-' becomes '_'. */
  public static String sanitize(String name) {
    return name.replaceAll("[^a-zA-Z0-9_\\-]", "_");
  }

  /** {@code spiffe://<mesh>/<service>}. */
  public static String spiffeId(String mesh, String service) {
    return "spiffe://" + mesh + "/" + service;
  }

  /** {@code kuma://<tag>/<value>}. */
  public static String kumaId(String tag, String value) {
    return "kuma://" + tag + "/" + value;
  }

  private static RBAC allow(String name, List<Principal> principals) {
    RBAC.Builder b = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
    if (!principals.isEmpty()) {
      b.putPolicies(name, policy(principals));
    }
    return b.build();
  }

  private static Policy policy(List<Principal> principals) {
    return Policy.newBuilder()
        .addPermissions(Permission.newBuilder().setAny(true))
        .addAllPrincipals(principals)
        .build();
  }

  private static Principal principal(String mesh, List<Tag> tags) {
    List<Principal> ids = new ArrayList<>();
    for (Tag t : tags) {
      Principal p = authenticated(tagId(mesh, t.key(), t.value()));
      ids.add(t.not() ? Principal.newBuilder().setNotId(p).build() : p);
    }
    return combine(ids);
  }

  private static Principal legacyPrincipal(String mesh, Map<String, String> match) {
    List<String> names = new ArrayList<>();
    match.forEach(
        (k, v) -> {
          if (!v.equals(TrafficPermissionSpec.ANY)) {
            names.add(tagId(mesh, k, v));
          }
        });
    names.sort(Comparator.naturalOrder());
    return combine(names.stream().map(Rbac::authenticated).toList());
  }

  private static String tagId(String mesh, String key, String value) {
    return key.equals(Tags.SERVICE) ? spiffeId(mesh, value) : kumaId(key, value);
  }

  private static Principal combine(List<Principal> ids) {
    return switch (ids.size()) {
      case 0 -> Principal.newBuilder().setAny(true).build();
      case 1 -> ids.get(0);
      default -> Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(ids)).build();
    };
  }

  private static Principal authenticated(String name) {
    return Principal.newBuilder()
        .setAuthenticated(
            Principal.Authenticated.newBuilder().setPrincipalName(StringMatcher.newBuilder().setExact(name)))
        .build();
  }
}
