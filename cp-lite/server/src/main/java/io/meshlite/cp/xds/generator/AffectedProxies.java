package io.meshlite.cp.xds.generator;

import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which proxies of a mesh can get a different configuration when the mesh context changes from one
 * revision to the next, so that the control plane regenerates only those.
 *
 * <p>It follows what the generators read (keep the two in step when a generator starts reading
 * something new; {@code AffectedProxiesTest} compares this against regenerating everything on
 * random changes):
 *
 * <ul>
 *   <li>the Mesh spec and mTLS: every proxy;
 *   <li>traffic permissions: only with mTLS on, and only proxies with an inbound whose matched
 *       permission changes;
 *   <li>the proxy's own Dataplane (or whether it is valid): that proxy;
 *   <li>the endpoints of a service: the proxies with an outbound to it (their own outbounds, and
 *       with transparent proxying one per service VIP);
 *   <li>the set of services or their VIPs: the transparently proxied proxies (VIP outbounds, DNS
 *       table).
 * </ul>
 */
public final class AffectedProxies {
  /**
   * @param all every proxy of the mesh
   * @param dataplanes the names of the affected Dataplanes when not {@code all}
   */
  public record Result(boolean all, Set<String> dataplanes) {
    public static final Result ALL = new Result(true, Set.of());
    public static final Result NONE = new Result(false, Set.of());

    public Result {
      dataplanes = Set.copyOf(dataplanes);
    }

    /** Whether the proxy of this Dataplane is affected. */
    public boolean affects(String dataplane) {
      return all || dataplanes.contains(dataplane);
    }
  }

  private AffectedProxies() {}

  /**
   * The proxies whose configuration may differ between the two revisions of one mesh.
   *
   * @param before the context the proxies were last generated from, or null if unknown
   * @param after the new context, or null if the mesh is gone
   */
  public static Result between(MeshContext before, MeshContext after) {
    if (before == null || after == null || before == after) {
      return before == after && before != null ? Result.NONE : Result.ALL;
    }
    if (!before.name().equals(after.name()) || !before.spec().equals(after.spec())) {
      return Result.ALL;
    }
    MeshSecurity sb = before.security();
    MeshSecurity sa = after.security();
    if (!sb.mtls().equals(sa.mtls())) {
      return Result.ALL;
    }
    Set<String> out = new TreeSet<>();

    // The proxy's own Dataplane (its spec, or whether it is valid at all).
    Set<String> names = new HashSet<>(before.dataplanes().keySet());
    names.addAll(after.dataplanes().keySet());
    names.addAll(before.invalid().keySet());
    names.addAll(after.invalid().keySet());
    for (String name : names) {
      if (!Objects.equals(before.dataplanes().get(name), after.dataplanes().get(name))
          || !Objects.equals(before.invalid().get(name), after.invalid().get(name))) {
        out.add(name);
      }
    }

    // Traffic permissions only shape inbound listeners, and only with mTLS on.
    if (sa.mtls().isPresent() && !sb.permissions().equals(sa.permissions())) {
      for (Dataplane dp : after.dataplanes().values()) {
        if (!out.contains(dp.name()) && permissionsDiffer(sb, sa, dp)) {
          out.add(dp.name());
        }
      }
    }

    // Endpoints of services; the service set and VIPs for transparently proxied Dataplanes.
    Set<String> changedServices = changedKeys(before.endpoints(), after.endpoints());
    boolean vipsChanged =
        !before.vips().equals(after.vips())
            || !TransparentProxy.services(before).equals(TransparentProxy.services(after));
    if (changedServices.isEmpty() && !vipsChanged) {
      return new Result(false, out);
    }
    for (Dataplane dp : after.dataplanes().values()) {
      if (out.contains(dp.name())) {
        continue;
      }
      if (vipsChanged && TransparentProxy.enabled(dp)) {
        out.add(dp.name());
        continue;
      }
      if (!changedServices.isEmpty() && callsAny(after, dp, changedServices)) {
        out.add(dp.name());
      }
    }
    return new Result(false, out);
  }

  private static boolean callsAny(MeshContext mesh, Dataplane dp, Set<String> services) {
    List<Outbound> outbounds = TransparentProxy.outbounds(mesh, dp);
    for (Outbound ob : outbounds) {
      if (services.contains(ob.service())) {
        return true;
      }
    }
    return false;
  }

  private static boolean permissionsDiffer(MeshSecurity before, MeshSecurity after, Dataplane dp) {
    for (Inbound in : dp.spec().networking().inbound()) {
      if (!before.permissions().forInbound(dp.name(), in).equals(after.permissions().forInbound(dp.name(), in))) {
        return true;
      }
    }
    return false;
  }

  private static <V> Set<String> changedKeys(Map<String, V> before, Map<String, V> after) {
    Set<String> out = new HashSet<>();
    before.forEach((k, v) -> {
      if (!v.equals(after.get(k))) {
        out.add(k);
      }
    });
    after.forEach((k, v) -> {
      if (!before.containsKey(k)) {
        out.add(k);
      }
    });
    return out;
  }
}
