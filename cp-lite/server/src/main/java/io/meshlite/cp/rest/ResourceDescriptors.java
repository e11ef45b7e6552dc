package io.meshlite.cp.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import java.util.Map;
import java.util.Set;

/** The body of {@code GET /_resources}: every type with its path, scope and display names, as Kuma 2.14. */
final class ResourceDescriptors {
  /** Legacy source/destination policies: a policy block with every flag false. */
  private static final Set<String> LEGACY_POLICIES =
      Set.of(
          "TrafficPermission", "TrafficRoute", "HealthCheck", "CircuitBreaker", "FaultInjection",
          "TrafficLog", "TrafficTrace", "ProxyTemplate", "RateLimit", "Retry", "Timeout",
          "VirtualOutbound");

  /** targetRef policies: hasFromTargetRef, hasToTargetRef, isFromAsRules. */
  private static final Map<String, boolean[]> TARGET_REF =
      Map.ofEntries(
          Map.entry("MeshAccessLog", new boolean[] {true, true, true}),
          Map.entry("MeshCircuitBreaker", new boolean[] {true, true, true}),
          Map.entry("MeshFaultInjection", new boolean[] {true, true, false}),
          Map.entry("MeshHTTPRoute", new boolean[] {false, true, false}),
          Map.entry("MeshHealthCheck", new boolean[] {false, true, false}),
          Map.entry("MeshLoadBalancingStrategy", new boolean[] {false, true, false}),
          Map.entry("MeshMetric", new boolean[] {false, false, false}),
          Map.entry("MeshPassthrough", new boolean[] {false, false, false}),
          Map.entry("MeshProxyPatch", new boolean[] {false, false, false}),
          Map.entry("MeshRateLimit", new boolean[] {true, true, true}),
          Map.entry("MeshRetry", new boolean[] {false, true, false}),
          Map.entry("MeshTCPRoute", new boolean[] {false, true, false}),
          Map.entry("MeshTLS", new boolean[] {true, false, true}),
          Map.entry("MeshTimeout", new boolean[] {true, true, true}),
          Map.entry("MeshTrace", new boolean[] {false, false, false}),
          Map.entry("MeshTrafficPermission", new boolean[] {true, false, false}));

  /** Types that stay in their zone in a multi-zone deployment. */
  private static final Set<String> NOT_FEDERATED =
      Set.of("Dataplane", "DataplaneInsight", "MeshInsight", "MeshService", "Zone");

  private ResourceDescriptors() {}

  /** True for the types a MeshInsight counts under {@code policies} (policies and ExternalService). */
  static boolean countedAsPolicy(ResourceType t) {
    return t.meshScoped()
        && (LEGACY_POLICIES.contains(t.name()) || TARGET_REF.containsKey(t.name()) || t.name().equals("ExternalService"));
  }

  static ObjectNode json() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode list = root.putArray("resources");
    for (ResourceType t : ResourceTypes.all()) {
      ObjectNode n = list.addObject();
      String singular = displayName(t.name());
      n.put("includeInFederation", !NOT_FEDERATED.contains(t.name()));
      n.put("name", t.name());
      n.put("path", t.plural());
      n.put("pluralDisplayName", plural(singular));
      boolean[] flags = TARGET_REF.get(t.name());
      if (flags != null || LEGACY_POLICIES.contains(t.name())) {
        ObjectNode p = n.putObject("policy");
        p.put("hasFromTargetRef", flags != null && flags[0]);
        p.put("hasToTargetRef", flags != null && flags[1]);
        p.put("isFromAsRules", flags != null && flags[2]);
        p.put("isTargetRef", flags != null);
      }
      n.put("readOnly", t.readOnly());
      n.put("scope", t.scope().display());
      n.put("singularDisplayName", singular);
    }
    return root;
  }

  /** "MeshHTTPRoute" → "Mesh HTTP Route". */
  static String displayName(String typeName) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < typeName.length(); i++) {
      char c = typeName.charAt(i);
      if (i > 0 && Character.isUpperCase(c)) {
        char prev = typeName.charAt(i - 1);
        boolean nextLower = i + 1 < typeName.length() && Character.isLowerCase(typeName.charAt(i + 1));
        if (Character.isLowerCase(prev) || (Character.isUpperCase(prev) && nextLower)) {
          b.append(' ');
        }
      }
      b.append(c);
    }
    return b.toString();
  }

  /** "Mesh Retry" → "Mesh Retries", "Mesh TLS" → "Mesh TLSes", "Mesh" → "Meshes". */
  static String plural(String s) {
    if (s.endsWith("y") && !s.endsWith("ay") && !s.endsWith("ey") && !s.endsWith("oy")) {
      return s.substring(0, s.length() - 1) + "ies";
    }
    if (s.endsWith("s") || s.endsWith("S") || s.endsWith("sh") || s.endsWith("ch") || s.endsWith("x")) {
      return s + "es";
    }
    return s + "s";
  }
}
