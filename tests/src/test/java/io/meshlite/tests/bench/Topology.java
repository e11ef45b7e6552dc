package io.meshlite.tests.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Dataplanes of one mesh as the harness wrote them to the API, and what each proxy's Envoy
 * configuration must therefore contain. Deterministic: the same sizes give the same names,
 * addresses and outbounds. Owned by the harness's driving thread (not thread-safe).
 *
 * <p>Dataplane {@code i} belongs to service {@code i % M}, listens at {@code 10.x.y.z:8080}
 * (an address unique to it) and has the outbounds of its service: with a hub, the first one is
 * {@code svc-000} (so every proxy depends on it, like a shared auth service), the rest are drawn
 * from the other services.
 */
final class Topology {
  static final String DEFAULT_MESH = "default";
  static final int INBOUND_PORT = 8080;
  static final int SERVICE_PORT = 18080;
  static final int FIRST_OUTBOUND_PORT = 20000;

  /** One Dataplane. */
  record Dp(String name, String service, String address, List<Outbound> outbounds) {
    Dp {
      outbounds = List.copyOf(outbounds);
    }

    String endpoint() {
      return address + ":" + INBOUND_PORT;
    }

    Dp withOutbound(Outbound o) {
      List<Outbound> out = new ArrayList<>(outbounds);
      out.add(o);
      return new Dp(name, service, address, out);
    }
  }

  /** One outbound: a local port that reaches a service. */
  record Outbound(String service, int port) {}

  /**
   * What a proxy's ACKed configuration must contain (it may contain more, e.g. what later
   * generators add).
   *
   * @param clusters cluster names
   * @param listeners listener names
   * @param endpoints for each outbound service, exactly these endpoints ({@code ip:port})
   */
  record Expected(Set<String> clusters, Set<String> listeners, Map<String, Set<String>> endpoints) {}

  private final String mesh;
  private final int services;
  private final Map<String, Dp> dataplanes = new LinkedHashMap<>();
  private int nextAddress;

  private Topology(String mesh, int services) {
    this.mesh = mesh;
    this.services = services;
  }

  /**
   * @param mesh the mesh they belong to
   * @param dataplanes N
   * @param services M
   * @param outbounds outbounds per Dataplane (at most M, or M-1 without the hub)
   * @param hub whether every service's first outbound is {@code svc-000}
   */
  static Topology generate(String mesh, int dataplanes, int services, int outbounds, boolean hub) {
    if (dataplanes < 1 || services < 1 || services > dataplanes) {
      throw new IllegalArgumentException(
          "need 1 <= services <= dataplanes (got dataplanes=" + dataplanes + " services=" + services + ")");
    }
    Topology t = new Topology(mesh, services);
    List<List<Outbound>> byService = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      byService.add(outboundsOf(s, services, outbounds, hub));
    }
    for (int i = 0; i < dataplanes; i++) {
      int s = i % services;
      t.put(new Dp(dpName(i), serviceName(s), t.newAddress(), byService.get(s)));
    }
    return t;
  }

  private static List<Outbound> outboundsOf(int s, int services, int count, boolean hub) {
    Set<Integer> targets = new LinkedHashSet<>();
    if (hub) {
      targets.add(0);
    }
    Random r = new Random(s * 7919L + 17);
    int limit = Math.min(count, hub ? services : services - 1);
    while (targets.size() < limit) {
      int t = r.nextInt(services);
      if (t != s && !(hub && t == 0)) {
        targets.add(t);
      } else if (services <= 2 && targets.size() < limit) {
        targets.add(t); // tiny meshes: allow the own service rather than loop forever
      }
    }
    List<Outbound> out = new ArrayList<>();
    int port = FIRST_OUTBOUND_PORT;
    for (int t : targets) {
      out.add(new Outbound(serviceName(t), port++));
    }
    return out;
  }

  static String serviceName(int s) {
    return "svc-%03d".formatted(s);
  }

  static String dpName(int i) {
    return "dp-%05d".formatted(i);
  }

  /** A fresh address, unique in the topology (10.0.0.1, 10.0.0.2, ...). */
  String newAddress() {
    int i = ++nextAddress;
    return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
  }

  String mesh() {
    return mesh;
  }

  int services() {
    return services;
  }

  Collection<Dp> dataplanes() {
    return dataplanes.values();
  }

  Dp dataplane(String name) {
    Dp dp = dataplanes.get(name);
    if (dp == null) {
      throw new IllegalArgumentException("no dataplane " + name);
    }
    return dp;
  }

  void put(Dp dp) {
    dataplanes.put(dp.name(), dp);
  }

  void remove(String name) {
    dataplanes.remove(name);
  }

  /** The endpoints ({@code ip:port}) of a service. */
  Set<String> endpoints(String service) {
    Set<String> out = new TreeSet<>();
    for (Dp dp : dataplanes.values()) {
      if (dp.service().equals(service)) {
        out.add(dp.endpoint());
      }
    }
    return out;
  }

  /** Names of the Dataplanes that have an outbound to a service. */
  Set<String> consumers(String service) {
    Set<String> out = new TreeSet<>();
    for (Dp dp : dataplanes.values()) {
      if (dp.outbounds().stream().anyMatch(o -> o.service().equals(service))) {
        out.add(dp.name());
      }
    }
    return out;
  }

  /** The endpoints ({@code ip:port}) of every service. */
  Map<String, Set<String>> endpointsByService() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Dp dp : dataplanes.values()) {
      out.computeIfAbsent(dp.service(), s -> new TreeSet<>()).add(dp.endpoint());
    }
    return out;
  }

  /** What the proxy of a Dataplane must have ACKed to be fully configured. */
  Expected expected(String name) {
    return expected(name, endpointsByService());
  }

  /** As {@link #expected(String)}, with {@link #endpointsByService()} computed once by the caller. */
  Expected expected(String name, Map<String, Set<String>> endpointsByService) {
    Dp dp = dataplane(name);
    Set<String> clusters = new TreeSet<>();
    Set<String> listeners = new TreeSet<>();
    Map<String, Set<String>> endpoints = new TreeMap<>();
    clusters.add("localhost:" + SERVICE_PORT);
    listeners.add("inbound:" + dp.address() + ":" + INBOUND_PORT);
    for (Outbound o : dp.outbounds()) {
      clusters.add(o.service());
      listeners.add("outbound:127.0.0.1:" + o.port());
      endpoints.put(o.service(), endpointsByService.getOrDefault(o.service(), Set.of()));
    }
    return new Expected(clusters, listeners, endpoints);
  }

  /** The REST body of a Dataplane ({@code PUT /meshes/<mesh>/dataplanes/<name>}). */
  ObjectNode json(Dp dp) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("type", "Dataplane");
    root.put("mesh", mesh);
    root.put("name", dp.name());
    ObjectNode net = root.putObject("networking");
    net.put("address", dp.address());
    ArrayNode inbound = net.putArray("inbound");
    ObjectNode in = inbound.addObject();
    in.put("port", INBOUND_PORT);
    in.put("servicePort", SERVICE_PORT);
    ObjectNode tags = in.putObject("tags");
    tags.put("kuma.io/service", dp.service());
    tags.put("kuma.io/protocol", "http");
    tags.put("version", "v1");
    ArrayNode outbound = net.putArray("outbound");
    for (Outbound o : dp.outbounds()) {
      ObjectNode ob = outbound.addObject();
      ob.put("port", o.port());
      ob.putObject("tags").put("kuma.io/service", o.service());
    }
    return root;
  }
}
