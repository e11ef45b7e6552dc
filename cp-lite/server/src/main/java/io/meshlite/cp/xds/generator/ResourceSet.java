package io.meshlite.cp.xds.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshlite.cp.xds.envoy.ProtoJson;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Envoy resources generated for one proxy, by type and sorted by name (so hashing and
 * printing are stable).
 */
public final class ResourceSet {
  private final SortedMap<String, Listener> listeners;
  private final SortedMap<String, Cluster> clusters;
  private final SortedMap<String, ClusterLoadAssignment> endpoints;
  private final SortedMap<String, RouteConfiguration> routes;
  private final SortedMap<String, Secret> secrets;

  private ResourceSet(Builder b) {
    listeners = Collections.unmodifiableSortedMap(new TreeMap<>(b.listeners));
    clusters = Collections.unmodifiableSortedMap(new TreeMap<>(b.clusters));
    endpoints = Collections.unmodifiableSortedMap(new TreeMap<>(b.endpoints));
    routes = Collections.unmodifiableSortedMap(new TreeMap<>(b.routes));
    secrets = Collections.unmodifiableSortedMap(new TreeMap<>(b.secrets));
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Listener> listeners() {
    return List.copyOf(listeners.values());
  }

  public List<Cluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /** The EDS resources, by cluster name. */
  public List<ClusterLoadAssignment> endpoints() {
    return List.copyOf(endpoints.values());
  }

  public List<RouteConfiguration> routes() {
    return List.copyOf(routes.values());
  }

  public List<Secret> secrets() {
    return List.copyOf(secrets.values());
  }

  /**
   * Renders every resource as Kuma's generator goldens do: {@code resources: [{name, resource}]},
   * clusters, endpoints, listeners, routes, secrets, each sorted by name, with sorted keys.
   */
  public JsonNode toTree() {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (Map<String, ? extends Message> byName : List.of(clusters, endpoints, listeners, routes, secrets)) {
      byName.forEach(
          (name, m) -> {
            ObjectNode o = list.addObject();
            o.put("name", name);
            o.set("resource", ProtoJson.canonicalTree(com.google.protobuf.Any.pack(m)));
          });
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("resources", list);
    return root;
  }

  /** Collects resources; the same name twice is fine only with identical content. */
  public static final class Builder {
    private final Map<String, Listener> listeners = new TreeMap<>();
    private final Map<String, Cluster> clusters = new TreeMap<>();
    private final Map<String, ClusterLoadAssignment> endpoints = new TreeMap<>();
    private final Map<String, RouteConfiguration> routes = new TreeMap<>();
    private final Map<String, Secret> secrets = new TreeMap<>();

    private Builder() {}

    public Builder add(Listener l) {
      put(listeners, l.getName(), l, "listener");
      return this;
    }

    public Builder add(Cluster c) {
      put(clusters, c.getName(), c, "cluster");
      return this;
    }

    public Builder add(ClusterLoadAssignment cla) {
      put(endpoints, cla.getClusterName(), cla, "load assignment");
      return this;
    }

    public Builder add(RouteConfiguration r) {
      put(routes, r.getName(), r, "route configuration");
      return this;
    }

    public Builder add(Secret s) {
      put(secrets, s.getName(), s, "secret");
      return this;
    }

    public ResourceSet build() {
      return new ResourceSet(this);
    }

    private static <T extends Message> void put(Map<String, T> map, String name, T value, String kind) {
      T old = map.putIfAbsent(name, value);
      if (old != null && !old.equals(value)) {
        throw new IllegalStateException(
            "two different " + kind + "s named \"" + name + "\" were generated (names must be unique)");
      }
    }
  }
}
