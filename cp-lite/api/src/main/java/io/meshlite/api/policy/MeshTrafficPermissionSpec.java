package io.meshlite.api.policy;

import static io.meshlite.api.validation.Violations.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.policy.TargetRef.Kind;
import io.meshlite.api.validation.Violations;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Typed view of a {@code MeshTrafficPermission} spec (Kuma 2.14, {@code from[]} form): which
 * proxies it protects ({@code targetRef}) and, per client subset, whether to allow.
 *
 * @param targetRef the proxies whose inbounds it configures ({@code Mesh} when omitted)
 * @param from the client entries, in order
 */
public record MeshTrafficPermissionSpec(TargetRef targetRef, List<From> from) {

  /** Kinds accepted in the top-level targetRef. */
  public static final Set<Kind> TOP_KINDS =
      EnumSet.of(Kind.Mesh, Kind.MeshSubset, Kind.MeshService, Kind.MeshServiceSubset, Kind.Dataplane);

  /** Kinds accepted in {@code from[].targetRef}. */
  public static final Set<Kind> FROM_KINDS =
      EnumSet.of(Kind.Mesh, Kind.MeshSubset, Kind.MeshService, Kind.MeshServiceSubset);

  /** {@code default.action}. */
  public enum Action {
    Allow,
    Deny,
    AllowWithShadowDeny;

    /** The action with this exact name. */
    public static Optional<Action> of(String name) {
      for (Action a : values()) {
        if (a.name().equals(name)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One {@code from[]} entry.
   *
   * @param targetRef the clients it is about
   * @param action what happens to their traffic
   */
  public record From(TargetRef targetRef, Action action) {
    public From {
      Objects.requireNonNull(targetRef, "targetRef");
      Objects.requireNonNull(action, "action");
    }
  }

  public MeshTrafficPermissionSpec {
    Objects.requireNonNull(targetRef, "targetRef");
    from = List.copyOf(from);
  }

  /**
   * Parses and validates the {@code spec} of a MeshTrafficPermission; paths start with {@code
   * spec.}.
   *
   * @throws io.meshlite.api.validation.ValidationException listing every problem
   */
  public static MeshTrafficPermissionSpec parse(ObjectNode spec) {
    Violations v = new Violations();
    TargetRef top = TargetRef.MESH;
    JsonNode tr = spec.get("targetRef");
    if (tr != null && !tr.isNull()) {
      top = TargetRef.parse(tr, "spec.targetRef", TOP_KINDS, v);
    }
    JsonNode rules = spec.get("rules");
    if (rules != null && !rules.isNull()) {
      v.add("spec.rules", "is not supported yet (use from[] with targetRef and default.action)");
    }
    List<From> from = new ArrayList<>();
    JsonNode fn = spec.get("from");
    if (fn == null || fn.isNull() || (fn.isArray() && fn.isEmpty())) {
      if (rules == null || rules.isNull()) {
        v.add("spec.from", "needs at least one item");
      }
    } else if (!fn.isArray()) {
      v.add("spec.from", "must be a list");
    } else {
      for (int i = 0; i < fn.size(); i++) {
        String p = index("spec.from", i);
        JsonNode item = fn.get(i);
        if (!item.isObject()) {
          v.add(p, "must be a mapping with targetRef and default");
          continue;
        }
        TargetRef ref = TargetRef.parse(item.get("targetRef"), p + ".targetRef", FROM_KINDS, v);
        Action action = action(item.get("default"), p + ".default", v);
        if (ref != null && action != null) {
          from.add(new From(ref, action));
        }
      }
    }
    JsonNode to = spec.get("to");
    if (to != null && !to.isNull()) {
      v.add("spec.to", "must not be defined (MeshTrafficPermission only has from)");
    }
    v.throwIfAny("Resource is not valid");
    return new MeshTrafficPermissionSpec(top, from);
  }

  private static Action action(JsonNode def, String p, Violations v) {
    if (def == null || def.isNull()) {
      v.add(p, "must be defined");
      return null;
    }
    if (!def.isObject()) {
      v.add(p, "must be a mapping");
      return null;
    }
    JsonNode a = def.get("action");
    String ap = p + ".action";
    if (a == null || a.isNull() || a.asText("").isEmpty()) {
      v.add(ap, "must be defined");
      return null;
    }
    Optional<Action> action = a.isTextual() ? Action.of(a.asText()) : Optional.empty();
    if (action.isEmpty()) {
      v.add(ap, "\"" + a.asText() + "\" is not valid (expected: Allow, Deny or AllowWithShadowDeny)");
      return null;
    }
    return action.get();
  }
}
