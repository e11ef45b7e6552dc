package io.meshlite.kumactl.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The tables of {@code kumactl inspect dataplanes} and {@code kumactl inspect meshes} (Kuma 2.14 columns). */
public final class InspectTables {
  /** Policy types counted by {@code inspect meshes}, in column order, with their headers. */
  public static final List<List<String>> MESH_POLICY_COLUMNS =
      List.of(
          List.of("TrafficPermission", "TRAFFIC PERMISSIONS"),
          List.of("TrafficRoute", "TRAFFIC ROUTES"),
          List.of("CircuitBreaker", "CIRCUIT BREAKERS"),
          List.of("HealthCheck", "HEALTH CHECKS"),
          List.of("FaultInjection", "FAULT INJECTIONS"),
          List.of("ExternalService", "EXTERNAL SERVICES"),
          List.of("TrafficTrace", "TRAFFIC TRACES"),
          List.of("TrafficLog", "TRAFFIC LOGS"),
          List.of("ProxyTemplate", "PROXY TEMPLATES"),
          List.of("RateLimit", "RATE LIMITS"));

  private InspectTables() {}

  /**
   * The {@code inspect dataplanes} table from {@code DataplaneOverview} items.
   *
   * @param overviews items with {@code dataplane} and {@code dataplaneInsight}
   * @param now when ages are measured
   * @param zone the zone dates are shown in
   * @param insightsKnown false when the control plane served no insights: STATUS is {@code unknown}
   */
  public static Table dataplanes(List<JsonNode> overviews, Instant now, ZoneId zone, boolean insightsKnown) {
    Table t =
        new Table(
            List.of(
                "MESH",
                "NAME",
                "TAGS",
                "STATUS",
                "LAST CONNECTED AGO",
                "LAST UPDATED AGO",
                "TOTAL UPDATES",
                "TOTAL ERRORS",
                "CERT REGENERATED AGO",
                "CERT EXPIRATION",
                "CERT REGENERATIONS",
                "CERT BACKEND",
                "SUPPORTED CERT BACKENDS",
                "KUMA-DP VERSION",
                "ENVOY VERSION",
                "DEPENDENCIES VERSIONS",
                "NOTES"));
    for (JsonNode o : overviews) {
      JsonNode dp = o.path("dataplane");
      JsonNode insight = o.path("dataplaneInsight");
      JsonNode subs = insight.path("subscriptions");
      JsonNode last = subs.isArray() && !subs.isEmpty() ? subs.get(subs.size() - 1) : null;
      long updates = sum(subs, s -> s.path("status").path("total").path("responsesSent"));
      long errors = sum(subs, s -> s.path("status").path("total").path("responsesRejected"));
      List<String> notes = new ArrayList<>();
      String status = insightsKnown ? status(dp, subs, notes) : "unknown";
      JsonNode mtls = insight.path("mTLS");
      String certBackend = "-";
      if (mtls.isObject()) {
        certBackend = mtls.path("issuedBackend").asText("");
        if (certBackend.isEmpty()) {
          certBackend = "unknown";
        }
      }
      List<String> supported = new ArrayList<>();
      mtls.path("supportedBackends").forEach(b -> supported.add(b.asText()));
      String kumaDp = "";
      String envoy = "";
      List<String> deps = new ArrayList<>();
      if (last != null) {
        JsonNode v = last.path("version");
        kumaDp = v.path("kumaDp").path("version").asText("");
        envoy = v.path("envoy").path("version").asText("");
        v.path("dependencies").properties().forEach(e -> deps.add(e.getKey() + ": " + e.getValue().asText()));
      }
      t.row(
          List.of(
              o.path("mesh").asText(),
              o.path("name").asText(),
              ResourceTables.dataplaneTags(dp.path("networking")),
              status,
              Ages.ago(time(last, "connectTime"), now),
              Ages.ago(last == null ? Optional.empty() : Ages.parse(last.path("status").path("lastUpdateTime").asText(null)), now),
              Long.toString(updates),
              Long.toString(errors),
              Ages.ago(Ages.parse(mtls.path("lastCertificateRegeneration").asText(null)), now),
              Ages.date(Ages.parse(mtls.path("certificateExpirationTime").asText(null)), zone),
              Long.toString(number(mtls.path("certificateRegenerations"))),
              certBackend,
              String.join(",", supported),
              kumaDp,
              envoy,
              deps.isEmpty() ? "-" : String.join(", ", deps),
              String.join(";", notes)));
    }
    return t;
  }

  /**
   * The {@code inspect meshes} table from {@code MeshInsight} items ({@code dataplanes.online/total},
   * {@code policies.<Type>.total}).
   *
   * @param onlineKnown false when the control plane served no insights: online counts show {@code ?}
   */
  public static Table meshes(List<JsonNode> insights, boolean onlineKnown) {
    List<String> headers = new ArrayList<>(List.of("MESH", "DATAPLANES"));
    MESH_POLICY_COLUMNS.forEach(c -> headers.add(c.get(1)));
    Table t = new Table(headers);
    for (JsonNode m : insights) {
      List<String> row = new ArrayList<>();
      row.add(m.path("name").asText());
      JsonNode dps = m.path("dataplanes");
      String online = onlineKnown ? Long.toString(number(dps.path("online"))) : "?";
      row.add(online + "/" + number(dps.path("total")));
      for (List<String> c : MESH_POLICY_COLUMNS) {
        row.add(Long.toString(number(m.path("policies").path(c.get(0)).path("total"))));
      }
      t.row(row);
    }
    return t;
  }

  private static String status(JsonNode dp, JsonNode subs, List<String> notes) {
    boolean online = false;
    for (JsonNode s : subs) {
      if (s.hasNonNull("connectTime") && !s.hasNonNull("disconnectTime")) {
        online = true;
      }
    }
    JsonNode net = dp.path("networking");
    if (net.path("gateway").isObject()) {
      return online ? "Online" : "Offline";
    }
    boolean allOffline = true;
    boolean allOnline = true;
    for (JsonNode in : net.path("inbound")) {
      boolean ready =
          in.path("state").asText("Ready").equals("Ready")
              && (!in.path("health").isObject() || in.path("health").path("ready").asBoolean(false));
      if (ready) {
        allOffline = false;
      } else {
        allOnline = false;
        notes.add(
            "inbound[port=" + in.path("port").asInt() + ",svc=" + in.path("tags").path("kuma.io/service").asText("") + "] is not ready");
      }
    }
    if (!online || allOffline) {
      return "Offline";
    }
    return allOnline ? "Online" : "Partially degraded";
  }

  private static Optional<Instant> time(JsonNode n, String field) {
    return n == null ? Optional.empty() : Ages.parse(n.path(field).asText(null));
  }

  private static long sum(JsonNode subs, Function<JsonNode, JsonNode> f) {
    long total = 0;
    for (JsonNode s : subs) {
      total += number(f.apply(s));
    }
    return total;
  }

  /** Reads a counter that proto JSON may write as a number or as a string (uint64). */
  private static long number(JsonNode n) {
    if (n.isNumber()) {
      return n.asLong();
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }
}
