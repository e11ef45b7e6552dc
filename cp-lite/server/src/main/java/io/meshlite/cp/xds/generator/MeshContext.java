package io.meshlite.cp.xds.generator;

import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.mesh.MeshSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything generators may know about one mesh, built once per mesh change and shared by every
 * proxy of the mesh: the Mesh spec, its Dataplanes and the endpoints of each service.
 *
 * @param name the mesh name
 * @param spec the Mesh spec
 * @param dataplanes the valid Dataplanes by name
 * @param endpoints the Ready endpoints of each service ({@code kuma.io/service}), in Dataplane
 *     name order then inbound order
 * @param invalid Dataplanes whose stored spec does not validate, with the reason
 * @param vips the VIP of each service from the mesh's VIP table (may include services that have
 *     left the mesh and whose VIP is still reserved)
 * @param security mTLS and traffic permissions ({@link MeshSecurity#NONE} until the control plane
 *     loads them, see {@link #withSecurity})
 */
public record MeshContext(
    String name,
    MeshSpec spec,
    Map<String, Dataplane> dataplanes,
    Map<String, List<Endpoint>> endpoints,
    Map<String, String> invalid,
    Map<String, String> vips,
    MeshSecurity security) {

  public MeshContext {
    dataplanes = Collections.unmodifiableMap(new TreeMap<>(dataplanes));
    TreeMap<String, List<Endpoint>> e = new TreeMap<>();
    endpoints.forEach((k, v) -> e.put(k, List.copyOf(v)));
    endpoints = Collections.unmodifiableMap(e);
    invalid = Collections.unmodifiableMap(new TreeMap<>(invalid));
    vips = Collections.unmodifiableMap(new TreeMap<>(vips));
    java.util.Objects.requireNonNull(security, "security");
  }

  /** A context without VIPs, mTLS or traffic permissions. */
  public MeshContext(
      String name,
      MeshSpec spec,
      Map<String, Dataplane> dataplanes,
      Map<String, List<Endpoint>> endpoints,
      Map<String, String> invalid) {
    this(name, spec, dataplanes, endpoints, invalid, Map.of(), MeshSecurity.NONE);
  }

  /** A context with VIPs but without mTLS or traffic permissions. */
  public MeshContext(
      String name,
      MeshSpec spec,
      Map<String, Dataplane> dataplanes,
      Map<String, List<Endpoint>> endpoints,
      Map<String, String> invalid,
      Map<String, String> vips) {
    this(name, spec, dataplanes, endpoints, invalid, vips, MeshSecurity.NONE);
  }

  /** The same context with the mesh's security inputs. */
  public MeshContext withSecurity(MeshSecurity s) {
    return new MeshContext(name, spec, dataplanes, endpoints, invalid, vips, s);
  }

  /**
   * Builds the context of a mesh from its stored resources.
   *
   * @param mesh the Mesh resource
   * @param dataplaneResources every Dataplane of the mesh
   */
  public static MeshContext build(Resource mesh, List<Resource> dataplaneResources) {
    return build(mesh, dataplaneResources, Map.of());
  }

  /**
   * Builds the context of a mesh from its stored resources and its VIP table.
   *
   * @param mesh the Mesh resource
   * @param dataplaneResources every Dataplane of the mesh
   * @param vips the VIP of each service ({@code io.meshlite.cp.vip.VipTable#addresses()})
   */
  public static MeshContext build(Resource mesh, List<Resource> dataplaneResources, Map<String, String> vips) {
    Map<String, Dataplane> dataplanes = new TreeMap<>();
    Map<String, String> invalid = new TreeMap<>();
    for (Resource r : dataplaneResources) {
      try {
        dataplanes.put(r.name(), Dataplane.of(r));
      } catch (ValidationException e) {
        invalid.put(r.name(), e.getMessage());
      }
    }
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    for (Dataplane dp : dataplanes.values()) {
      for (DataplaneSpec.Inbound in : dp.spec().networking().inbound()) {
        if (in.ready()) {
          endpoints
              .computeIfAbsent(in.service(), s -> new ArrayList<>())
              .add(new Endpoint(in.address(), in.port(), in.tags()));
        }
      }
    }
    return new MeshContext(mesh.name(), MeshSpec.parse(mesh.spec()), dataplanes, endpoints, invalid, vips);
  }

  /**
   * The same context, but where a service's endpoints or a Dataplane equal those of {@code
   * previous} (an earlier revision of the mesh), it holds the previous instance. Resources built
   * from them are cached by instance ({@link SharedResources}), so what did not change is not
   * rebuilt, and comparing revisions ({@link AffectedProxies}) mostly compares references.
   */
  public MeshContext sharingWith(MeshContext previous) {
    if (previous == null || !previous.name.equals(name)) {
      return this;
    }
    Map<String, List<Endpoint>> e = new TreeMap<>();
    endpoints.forEach((k, v) -> e.put(k, same(v, previous.endpoints.get(k))));
    Map<String, Dataplane> d = new TreeMap<>();
    dataplanes.forEach((k, v) -> d.put(k, same(v, previous.dataplanes.get(k))));
    return new MeshContext(name, spec, d, e, invalid, vips, security);
  }

  private static <T> T same(T now, T before) {
    return now.equals(before) ? before : now;
  }

  /** The Dataplane with this name, if it exists and is valid. */
  public Optional<Dataplane> dataplane(String dataplaneName) {
    return Optional.ofNullable(dataplanes.get(dataplaneName));
  }

  /** The Ready endpoints of a service; empty if it has none. */
  public List<Endpoint> endpoints(String service) {
    return endpoints.getOrDefault(service, List.of());
  }
}
