package io.meshlite.cp.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.Optional;

/**
 * Pure functions over the JSON of Kuma's {@code DataplaneInsight} and {@code DataplaneOverview}
 * (field names as Kuma 2.14's proto JSON: {@code subscriptions[].{id, controlPlaneInstanceId,
 * connectTime, disconnectTime, status{lastUpdateTime, total, cds, eds, lds, rds}, version,
 * generation}}). No I/O: the recorder and the REST API call these.
 */
public final class DataplaneInsights {
  /** The {@code type} of an overview item. */
  public static final String OVERVIEW_TYPE = "DataplaneOverview";

  /** How many subscriptions an insight keeps, the newest last (Kuma's {@code subscriptionLimit} default). */
  public static final int SUBSCRIPTION_LIMIT = 2;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private DataplaneInsights() {}

  /** The key of the insight of a Dataplane: same mesh and name. */
  public static ResourceKey insightKey(String mesh, String name) {
    return ResourceKey.of(ResourceTypes.DATAPLANE_INSIGHT, mesh, name);
  }

  /**
   * True when the insight has a subscription that is connected: it has a {@code connectTime} and
   * no {@code disconnectTime} (Kuma's {@code IsOnline}).
   */
  public static boolean online(JsonNode insight) {
    for (JsonNode s : insight.path("subscriptions")) {
      if (s.hasNonNull("connectTime") && !s.hasNonNull("disconnectTime")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The insight spec with this subscription put in: it replaces the one with the same {@code id}
   * in place, or is appended; then the oldest are dropped down to {@code limit}.
   */
  public static ObjectNode withSubscription(JsonNode insight, ObjectNode subscription, int limit) {
    ObjectNode out = insight == null || !insight.isObject() ? F.objectNode() : ((ObjectNode) insight).deepCopy();
    ArrayNode subs = F.arrayNode();
    String id = subscription.path("id").asText();
    boolean replaced = false;
    for (JsonNode s : insight == null ? F.arrayNode() : insight.path("subscriptions")) {
      if (!replaced && s.path("id").asText().equals(id)) {
        subs.add(subscription);
        replaced = true;
      } else {
        subs.add(s);
      }
    }
    if (!replaced) {
      subs.add(subscription);
    }
    while (limit > 0 && subs.size() > limit) {
      subs.remove(0);
    }
    out.set("subscriptions", subs);
    return out;
  }

  /**
   * The insight with every subscription of this control plane instance that has no {@code
   * disconnectTime} closed at {@code now}: streams a crashed instance never saw end.
   *
   * @return empty when there was nothing to close
   */
  public static Optional<ObjectNode> closeAbandoned(JsonNode insight, String instanceId, Instant now) {
    ObjectNode out = ((ObjectNode) insight).deepCopy();
    boolean changed = false;
    for (JsonNode s : out.path("subscriptions")) {
      if (s instanceof ObjectNode sub
          && instanceId.equals(sub.path("controlPlaneInstanceId").asText())
          && !sub.hasNonNull("disconnectTime")) {
        sub.put("disconnectTime", now.toString());
        changed = true;
      }
    }
    return changed ? Optional.of(out) : Optional.empty();
  }

  /**
   * The insight spec with its {@code mTLS} block set for a certificate issued at {@code issuedAt}
   * by {@code backend}: {@code certificateRegenerations} grows by {@code regenerations}.
   */
  public static ObjectNode withMtls(ObjectNode insight, String backend, Instant issuedAt, Instant notAfter, long regenerations) {
    ObjectNode out = insight.deepCopy();
    JsonNode previous = insight.path("mTLS").path("certificateRegenerations");
    long before = previous.isNumber() ? previous.asLong() : previous.isTextual() ? parseLong(previous.asText()) : 0;
    ObjectNode m = out.putObject("mTLS");
    m.put("certificateExpirationTime", notAfter.toString());
    m.put("lastCertificateRegeneration", issuedAt.toString());
    m.put("certificateRegenerations", before + regenerations);
    m.put("issuedBackend", backend);
    m.putArray("supportedBackends").add(backend);
    return out;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Kuma's {@code DataplaneOverview} of a Dataplane: its metadata, its spec under {@code
   * dataplane} and its insight's spec under {@code dataplaneInsight} ({@code {}} without one).
   */
  public static ObjectNode overview(Resource dataplane, Optional<Resource> insight) {
    ObjectNode o = F.objectNode();
    o.put("type", OVERVIEW_TYPE);
    o.put("mesh", dataplane.mesh());
    o.put("name", dataplane.name());
    o.put("creationTime", dataplane.meta().creationTime().toString());
    o.put("modificationTime", dataplane.meta().modificationTime().toString());
    if (!dataplane.meta().labels().isEmpty()) {
      ObjectNode labels = o.putObject("labels");
      dataplane.meta().labels().forEach(labels::put);
    }
    o.set("dataplane", dataplane.spec().deepCopy());
    o.set("dataplaneInsight", insight.map(i -> (JsonNode) i.spec().deepCopy()).orElseGet(F::objectNode));
    return o;
  }
}
