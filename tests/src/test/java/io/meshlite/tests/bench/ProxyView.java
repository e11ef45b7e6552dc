package io.meshlite.tests.bench;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configuration one simulated proxy has ACKed, reduced to what the harness checks: cluster
 * names (and which are EDS), endpoints per load assignment, listener names, the RDS names those
 * listeners use and the route configurations received. Guarded by the owning proxy's monitor.
 */
final class ProxyView {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  private static final String HCM =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  /** Endpoint strings are shared between proxies: thousands of proxies see the same few. */
  private static final ConcurrentHashMap<String, String> INTERNED = new ConcurrentHashMap<>();

  /** Cluster name -> EDS service name (the cluster name unless set), or null for non-EDS. */
  private final Map<String, String> clusters = new HashMap<>();
  private final Map<String, Set<String>> endpoints = new HashMap<>();
  private final Set<String> listeners = new HashSet<>();
  private final Set<String> rdsNames = new HashSet<>();
  private final Set<String> routes = new HashSet<>();
  private final Set<String> ackedTypes = new HashSet<>();

  /** SotW: the response holds every resource of a wildcard type (CDS, LDS). */
  void replaceAll(String typeUrl, Collection<Any> resources) throws InvalidProtocolBufferException {
    switch (typeUrl) {
      case CDS -> clusters.clear();
      case LDS -> {
        listeners.clear();
        rdsNames.clear();
      }
      default -> {}
    }
    for (Any a : resources) {
      put(typeUrl, a);
    }
  }

  /** Adds or replaces one resource. */
  void put(String typeUrl, Any a) throws InvalidProtocolBufferException {
    switch (typeUrl) {
      case CDS -> {
        Cluster c = a.unpack(Cluster.class);
        String eds = null;
        if (c.getType() == Cluster.DiscoveryType.EDS) {
          String service = c.getEdsClusterConfig().getServiceName();
          eds = service.isEmpty() ? c.getName() : service;
        }
        clusters.put(c.getName(), eds == null ? "" : eds);
      }
      case EDS -> {
        ClusterLoadAssignment cla = a.unpack(ClusterLoadAssignment.class);
        Set<String> eps = new HashSet<>();
        for (LocalityLbEndpoints l : cla.getEndpointsList()) {
          for (LbEndpoint e : l.getLbEndpointsList()) {
            SocketAddress s = e.getEndpoint().getAddress().getSocketAddress();
            String ep = s.getAddress() + ":" + s.getPortValue();
            eps.add(INTERNED.computeIfAbsent(ep, k -> k));
          }
        }
        endpoints.put(cla.getClusterName(), eps);
      }
      case LDS -> {
        Listener l = a.unpack(Listener.class);
        listeners.add(l.getName());
        for (FilterChain fc : l.getFilterChainsList()) {
          for (Filter f : fc.getFiltersList()) {
            if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().equals(HCM)) {
              HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
              if (hcm.hasRds()) {
                rdsNames.add(hcm.getRds().getRouteConfigName());
              }
            }
          }
        }
      }
      case RDS -> routes.add(a.unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class).getName());
      default -> {}
    }
  }

  /** Delta: a resource the server removed. */
  void remove(String typeUrl, String name) {
    switch (typeUrl) {
      case CDS -> clusters.remove(name);
      case EDS -> endpoints.remove(name);
      case LDS -> listeners.remove(name); // its RDS names are recomputed on the next full LDS view
      case RDS -> routes.remove(name);
      default -> {}
    }
  }

  /** Drops load assignments and routes no longer subscribed to. */
  void retain(String typeUrl, Set<String> subscribed) {
    switch (typeUrl) {
      case EDS -> endpoints.keySet().retainAll(subscribed);
      case RDS -> routes.retainAll(subscribed);
      default -> {}
    }
  }

  void acked(String typeUrl) {
    ackedTypes.add(typeUrl);
  }

  /** Names of the load assignments the clusters need (sorted, as Envoy would request them). */
  Set<String> edsNames() {
    Set<String> out = new TreeSet<>();
    clusters.values().forEach(s -> {
      if (!s.isEmpty()) {
        out.add(s);
      }
    });
    return out;
  }

  /** Whether load assignments for all these names were ACKed. */
  boolean hasAllLoadAssignments(Set<String> names) {
    return ackedTypes.contains(EDS) && endpoints.keySet().containsAll(names);
  }

  Set<String> rdsNames() {
    return new TreeSet<>(rdsNames);
  }

  /** CDS and LDS ACKed, and every load assignment and route configuration they need too. */
  boolean complete() {
    if (!ackedTypes.contains(CDS) || !ackedTypes.contains(LDS)) {
      return false;
    }
    Set<String> eds = edsNames();
    if (!eds.isEmpty() && !hasAllLoadAssignments(eds)) {
      return false;
    }
    return rdsNames.isEmpty() || (ackedTypes.contains(RDS) && routes.containsAll(rdsNames));
  }

  /** Complete, and containing what the topology says this proxy must have. */
  boolean matches(Topology.Expected e) {
    if (!complete() || !clusters.keySet().containsAll(e.clusters()) || !listeners.containsAll(e.listeners())) {
      return false;
    }
    for (Map.Entry<String, Set<String>> s : e.endpoints().entrySet()) {
      if (!s.getValue().equals(endpoints(s.getKey()))) {
        return false;
      }
    }
    return true;
  }

  boolean hasCluster(String name) {
    return clusters.containsKey(name);
  }

  boolean hasListener(String name) {
    return listeners.contains(name);
  }

  /** The ACKed endpoints of an EDS cluster; empty when it has none. */
  Set<String> endpoints(String cluster) {
    String service = clusters.get(cluster);
    Set<String> eps = endpoints.get(service == null || service.isEmpty() ? cluster : service);
    return eps == null ? Set.of() : eps;
  }

  /** A one-line description for failure messages. */
  String describe() {
    return "acked=" + ackedTypes.size() + " clusters=" + new TreeSet<>(clusters.keySet()) + " listeners="
        + new TreeSet<>(listeners) + " endpoints=" + endpoints;
  }
}
