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
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
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
 * listeners use and the route configurations received, the SDS secrets clusters and listeners name
 * and those received, and the principals of each listener's RBAC filters. Guarded by the owning
 * proxy's monitor.
 */
final class ProxyView {
  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String SDS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  private static final String UPSTREAM_TLS =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  private static final String DOWNSTREAM_TLS =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  private static final String NETWORK_RBAC = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";
  private static final String HTTP_RBAC = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
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
  /** Cluster or listener name -> the SDS secrets its transport sockets name (only those naming any). */
  private final Map<String, Set<String>> clusterSds = new HashMap<>();
  private final Map<String, Set<String>> listenerSds = new HashMap<>();
  private final Set<String> secrets = new HashSet<>();
  /**
   * Listener name -> the principals of its RBAC filters (network and HTTP, enforced rules only):
   * {@code spiffe://...} / {@code kuma://...} IDs, prefixed {@code !} under a {@code not_id}. Only
   * listeners with an RBAC filter.
   */
  private final Map<String, Set<String>> rbac = new HashMap<>();

  /** SotW: the response holds every resource of a wildcard type (CDS, LDS). */
  void replaceAll(String typeUrl, Collection<Any> resources) throws InvalidProtocolBufferException {
    switch (typeUrl) {
      case CDS -> {
        clusters.clear();
        clusterSds.clear();
      }
      case LDS -> {
        listeners.clear();
        rdsNames.clear();
        listenerSds.clear();
        rbac.clear();
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
        Set<String> sds = new TreeSet<>();
        if (c.hasTransportSocket()) {
          Any tc = c.getTransportSocket().getTypedConfig();
          if (tc.getTypeUrl().equals(UPSTREAM_TLS)) {
            sdsNames(tc.unpack(UpstreamTlsContext.class).getCommonTlsContext(), sds);
          }
        }
        putOrRemove(clusterSds, c.getName(), sds);
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
        Set<String> sds = new TreeSet<>();
        Set<String> ids = new TreeSet<>();
        boolean hasRbac = false;
        for (FilterChain fc : l.getFilterChainsList()) {
          Any tls = fc.hasTransportSocket() ? fc.getTransportSocket().getTypedConfig() : null;
          if (tls != null && tls.getTypeUrl().equals(DOWNSTREAM_TLS)) {
            sdsNames(tls.unpack(DownstreamTlsContext.class).getCommonTlsContext(), sds);
          }
          for (Filter f : fc.getFiltersList()) {
            String type = f.hasTypedConfig() ? f.getTypedConfig().getTypeUrl() : "";
            if (type.equals(HCM)) {
              HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
              if (hcm.hasRds()) {
                rdsNames.add(hcm.getRds().getRouteConfigName());
              }
              for (HttpFilter hf : hcm.getHttpFiltersList()) {
                if (hf.hasTypedConfig() && hf.getTypedConfig().getTypeUrl().equals(HTTP_RBAC)) {
                  hasRbac = true;
                  principals(
                      hf.getTypedConfig()
                          .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class)
                          .getRules(),
                      ids);
                }
              }
            } else if (type.equals(NETWORK_RBAC)) {
              hasRbac = true;
              principals(
                  f.getTypedConfig()
                      .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class)
                      .getRules(),
                  ids);
            }
          }
        }
        putOrRemove(listenerSds, l.getName(), sds);
        if (hasRbac) {
          rbac.put(l.getName(), ids);
        } else {
          rbac.remove(l.getName());
        }
      }
      case RDS -> routes.add(a.unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class).getName());
      case SDS -> secrets.add(a.unpack(Secret.class).getName());
      default -> {}
    }
  }

  private static void putOrRemove(Map<String, Set<String>> m, String key, Set<String> value) {
    if (value.isEmpty()) {
      m.remove(key);
    } else {
      m.put(key, value);
    }
  }

  /** The SDS secret names a TLS context refers to (certificate and validation context). */
  private static void sdsNames(CommonTlsContext c, Set<String> out) {
    for (SdsSecretConfig s : c.getTlsCertificateSdsSecretConfigsList()) {
      out.add(s.getName());
    }
    if (c.hasValidationContextSdsSecretConfig()) {
      out.add(c.getValidationContextSdsSecretConfig().getName());
    }
    if (c.hasCombinedValidationContext()
        && c.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      out.add(c.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName());
    }
  }

  private static void principals(RBAC rules, Set<String> out) {
    for (Policy p : rules.getPoliciesMap().values()) {
      for (Principal pr : p.getPrincipalsList()) {
        principal(pr, "", out);
      }
    }
  }

  private static void principal(Principal p, String prefix, Set<String> out) {
    switch (p.getIdentifierCase()) {
      case AUTHENTICATED -> {
        StringMatcher m = p.getAuthenticated().getPrincipalName();
        out.add(
            prefix
                + (m.getMatchPatternCase() == StringMatcher.MatchPatternCase.EXACT
                    ? m.getExact()
                    : m.toString().trim()));
      }
      case AND_IDS -> p.getAndIds().getIdsList().forEach(i -> principal(i, prefix, out));
      case OR_IDS -> p.getOrIds().getIdsList().forEach(i -> principal(i, prefix, out));
      case NOT_ID -> principal(p.getNotId(), prefix.isEmpty() ? "!" : "", out);
      case ANY -> out.add(prefix + "*");
      default -> {}
    }
  }

  /** Delta: a resource the server removed. */
  void remove(String typeUrl, String name) {
    switch (typeUrl) {
      case CDS -> clusters.remove(name);
      case EDS -> endpoints.remove(name);
      case LDS -> {
        listeners.remove(name); // its RDS names are recomputed on the next full LDS view
        listenerSds.remove(name);
        rbac.remove(name);
      }
      case RDS -> routes.remove(name);
      case SDS -> secrets.remove(name);
      default -> {}
    }
  }

  /** Drops load assignments and routes no longer subscribed to. */
  void retain(String typeUrl, Set<String> subscribed) {
    switch (typeUrl) {
      case EDS -> endpoints.keySet().retainAll(subscribed);
      case RDS -> routes.retainAll(subscribed);
      case SDS -> secrets.retainAll(subscribed);
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

  /** Names of the SDS secrets the clusters and listeners refer to (sorted). */
  Set<String> sdsNames() {
    Set<String> out = new TreeSet<>();
    clusterSds.values().forEach(out::addAll);
    listenerSds.values().forEach(out::addAll);
    return out;
  }

  /**
   * The principals of the RBAC filters of the listeners whose names start with {@code prefix}
   * (e.g. {@code inbound:}), one set per listener that has an RBAC filter.
   */
  Map<String, Set<String>> rbacPrincipals(String prefix) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    rbac.forEach((l, ids) -> {
      if (l.startsWith(prefix)) {
        out.put(l, ids);
      }
    });
    return out;
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
    if (!rdsNames.isEmpty() && !(ackedTypes.contains(RDS) && routes.containsAll(rdsNames))) {
      return false;
    }
    Set<String> sds = sdsNames();
    return sds.isEmpty() || (ackedTypes.contains(SDS) && secrets.containsAll(sds));
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
        + new TreeSet<>(listeners) + " endpoints=" + endpoints + " secrets=" + new TreeSet<>(secrets) + " rbac="
        + rbac;
  }
}
