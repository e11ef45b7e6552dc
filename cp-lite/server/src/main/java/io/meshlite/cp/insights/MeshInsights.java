package io.meshlite.cp.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kuma's {@code MeshInsight} of one mesh, computed from what is stored (Kuma keeps it as a resource
 * that a resyncer rewrites; here it is computed when asked, so it is never stale): {@code
 * dataplanes{total, online, offline, partiallyDegraded}}, {@code policies{<Type>{total}}}, {@code
 * dpVersions{kumaDp|envoy{<version>{total, online}}}}, {@code mTLS{issuedBackends{<name>{total,
 * online}}}} and {@code services{total, internal}}. Pure.
 */
public final class MeshInsights {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** What a Dataplane counts as. */
  public enum Status {
    ONLINE,
    OFFLINE,
    PARTIALLY_DEGRADED
  }

  private MeshInsights() {}

  /**
   * The status {@code kumactl inspect dataplanes} shows: Offline without an open subscription; for
   * a non-gateway, Partially degraded when some inbounds are not ready, Offline when none is.
   */
  public static Status status(JsonNode dataplane, JsonNode insight) {
    boolean online = DataplaneInsights.online(insight);
    JsonNode net = dataplane.path("networking");
    if (!online) {
      return Status.OFFLINE;
    }
    if (net.path("gateway").isObject()) {
      return Status.ONLINE;
    }
    int ready = 0;
    int total = 0;
    for (JsonNode in : net.path("inbound")) {
      total++;
      boolean up =
          in.path("state").asText("Ready").equals("Ready")
              && (!in.path("health").isObject() || in.path("health").path("ready").asBoolean(false));
      if (up) {
        ready++;
      }
    }
    if (total > 0 && ready == 0) {
      return Status.OFFLINE;
    }
    return ready == total ? Status.ONLINE : Status.PARTIALLY_DEGRADED;
  }

  /**
   * @param mesh the Mesh
   * @param dataplanes its Dataplanes
   * @param insights its DataplaneInsights by Dataplane name
   * @param policyTotals policy type → how many are in the mesh
   * @param now the {@code lastSync} time
   */
  public static ObjectNode compute(
      Resource mesh, List<Resource> dataplanes, Map<String, Resource> insights, Map<String, Long> policyTotals, Instant now) {
    ObjectNode o = F.objectNode();
    o.put("type", "MeshInsight");
    o.put("name", mesh.name());
    o.put("creationTime", mesh.meta().creationTime().toString());
    o.put("modificationTime", mesh.meta().modificationTime().toString());
    o.put("lastSync", now.toString());

    long online = 0;
    long offline = 0;
    long degraded = 0;
    Map<String, long[]> kumaDp = new TreeMap<>();
    Map<String, long[]> envoy = new TreeMap<>();
    Map<String, long[]> backends = new TreeMap<>();
    TreeSet<String> services = new TreeSet<>();
    for (Resource dp : dataplanes) {
      Resource insightResource = insights.get(dp.name());
      JsonNode insight = insightResource == null ? F.objectNode() : insightResource.spec();
      Status st = status(dp.spec(), insight);
      switch (st) {
        case ONLINE -> online++;
        case OFFLINE -> offline++;
        case PARTIALLY_DEGRADED -> degraded++;
      }
      boolean up = st != Status.OFFLINE;
      JsonNode subs = insight.path("subscriptions");
      JsonNode version = subs.isArray() && !subs.isEmpty() ? subs.get(subs.size() - 1).path("version") : F.objectNode();
      count(kumaDp, version.path("kumaDp").path("version").asText(""), up);
      count(envoy, version.path("envoy").path("version").asText(""), up);
      String backend = insight.path("mTLS").path("issuedBackend").asText("");
      if (!backend.isEmpty()) {
        count(backends, backend, up);
      }
      for (JsonNode in : dp.spec().path("networking").path("inbound")) {
        String svc = in.path("tags").path("kuma.io/service").asText("");
        if (!svc.isEmpty()) {
          services.add(svc);
        }
      }
    }
    ObjectNode dps = o.putObject("dataplanes");
    dps.put("total", dataplanes.size());
    dps.put("online", online);
    dps.put("offline", offline);
    dps.put("partiallyDegraded", degraded);

    ObjectNode policies = o.putObject("policies");
    new TreeMap<>(policyTotals).forEach((type, total) -> policies.putObject(type).put("total", total));

    ObjectNode versions = o.putObject("dpVersions");
    versions.set("kumaDp", stats(kumaDp));
    versions.set("envoy", stats(envoy));
    o.putObject("mTLS").set("issuedBackends", stats(backends));
    ObjectNode svc = o.putObject("services");
    svc.put("total", services.size());
    svc.put("internal", services.size());
    return o;
  }

  private static void count(Map<String, long[]> m, String key, boolean online) {
    long[] c = m.computeIfAbsent(key.isEmpty() ? "unknown" : key, k -> new long[2]);
    c[0]++;
    if (online) {
      c[1]++;
    }
  }

  private static ObjectNode stats(Map<String, long[]> m) {
    ObjectNode out = F.objectNode();
    m.forEach((k, c) -> {
      ObjectNode s = out.putObject(k);
      s.put("total", c[0]);
      s.put("online", c[1]);
    });
    return out;
  }
}
