package io.meshlite.cp.xds.generator;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshlite.cp.xds.envoy.LoadAssignments;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Resources that are the same for many proxies, built once and shared by every proxy's snapshot:
 * the load assignment and the EDS cluster of a service are identical for all its callers, and an
 * outbound listener is identical for every proxy with the same outbound. A proxy's inbound side is
 * kept from one regeneration to the next while its Dataplane and the mesh security stay the same. Sharing the instances
 * saves building them per proxy, keeps one copy in memory, and lets every later step that works
 * per instance (hashing in {@code SnapshotVersions}, protobuf's memoised sizes and hash codes, the
 * discovery server's serialisation cache) do its work once.
 *
 * <p>Load assignments are keyed by the identity of the service's endpoint list in the {@link
 * MeshContext}; the control plane hands unchanged lists on from one mesh revision to the next
 * ({@link MeshContext#sharingWith}), so an unchanged service keeps its instance across changes.
 * The other caches are keyed by value and bounded.
 */
final class SharedResources {
  private record ClusterKey(String mesh, String service, boolean mtls) {}

  private record ListenerKey(io.meshlite.api.mesh.DataplaneSpec.Outbound outbound, boolean transparent) {}

  private record Assignment(String cluster, ClusterLoadAssignment cla) {}

  private record InboundKey(
      String mesh, String proxy, io.meshlite.api.mesh.DataplaneSpec spec, MeshSecurity security) {}

  /**
   * A proxy's inbound clusters and listeners.
   *
   * @param clusters the local clusters
   * @param listeners the inbound listeners
   */
  record Inbound(List<Cluster> clusters, List<Listener> listeners) {
    Inbound {
      clusters = List.copyOf(clusters);
      listeners = List.copyOf(listeners);
    }
  }

  private static final Cache<List<Endpoint>, Assignment> ASSIGNMENTS = CacheBuilder.newBuilder().weakKeys().build();
  private static final Cache<ClusterKey, Cluster> CLUSTERS = CacheBuilder.newBuilder().maximumSize(50_000).build();
  private static final Cache<ListenerKey, Listener> LISTENERS = CacheBuilder.newBuilder().maximumSize(100_000).build();
  private static final Cache<InboundKey, Inbound> INBOUNDS = CacheBuilder.newBuilder().maximumSize(100_000).build();

  private SharedResources() {}

  /** The load assignment of {@code cluster} with these endpoints. */
  static ClusterLoadAssignment loadAssignment(String cluster, List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      return LoadAssignments.of(cluster, List.of()); // List.of() is one instance for every service
    }
    Assignment a = get(ASSIGNMENTS, endpoints, () -> new Assignment(cluster, build(cluster, endpoints)));
    return a.cluster().equals(cluster) ? a.cla() : build(cluster, endpoints);
  }

  /** The EDS cluster of a service in a mesh, with or without mTLS. */
  static Cluster edsCluster(String mesh, String service, boolean mtls, Supplier<Cluster> build) {
    return get(CLUSTERS, new ClusterKey(mesh, service, mtls), build);
  }

  /** The listener of an outbound, for a proxy with or without transparent proxying. */
  static Listener outboundListener(
      io.meshlite.api.mesh.DataplaneSpec.Outbound outbound, boolean transparent, Supplier<Listener> build) {
    return get(LISTENERS, new ListenerKey(outbound, transparent), build);
  }

  /**
   * A proxy's inbound resources. They depend only on the mesh name and security and the proxy's
   * name and spec, so a regeneration for anything else (an endpoint of a service it calls) reuses
   * them, hashing included.
   */
  static Inbound inbound(
      String mesh, String proxy, io.meshlite.api.mesh.DataplaneSpec spec, MeshSecurity security, Supplier<Inbound> build) {
    return get(INBOUNDS, new InboundKey(mesh, proxy, spec, security), build);
  }

  private static ClusterLoadAssignment build(String cluster, List<Endpoint> endpoints) {
    List<LbEndpoint> lb =
        endpoints.stream().map(e -> LoadAssignments.lbEndpoint(e.address(), e.port(), e.lbTags())).toList();
    return LoadAssignments.of(cluster, lb);
  }

  private static <K, V> V get(Cache<K, V> cache, K key, Supplier<V> build) {
    try {
      return cache.get(key, build::get);
    } catch (ExecutionException | com.google.common.util.concurrent.UncheckedExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
