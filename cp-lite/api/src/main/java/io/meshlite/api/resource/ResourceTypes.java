package io.meshlite.api.resource;

import static io.meshlite.api.resource.ResourceType.Scope.GLOBAL;
import static io.meshlite.api.resource.ResourceType.Scope.MESH;
import static io.meshlite.api.resource.ResourceType.Shape.INLINE;
import static io.meshlite.api.resource.ResourceType.Shape.SPEC;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every resource type the control plane knows, as in Kuma 2.14. Types without behaviour yet are
 * still stored and served, so existing YAML applies unchanged.
 */
public final class ResourceTypes {
  public static final ResourceType MESH_TYPE = t("Mesh", "meshes", "mesh", GLOBAL, INLINE);
  public static final ResourceType DATAPLANE = t("Dataplane", "dataplanes", "dataplane", MESH, INLINE);
  public static final ResourceType DATAPLANE_INSIGHT =
      new ResourceType(
          "DataplaneInsight", "dataplane-insights", "dataplane-insight", MESH, INLINE, true);
  public static final ResourceType SECRET = t("Secret", "secrets", "secret", MESH, INLINE);
  public static final ResourceType GLOBAL_SECRET =
      t("GlobalSecret", "globalsecrets", "global-secret", GLOBAL, INLINE);
  public static final ResourceType MESH_TRAFFIC_PERMISSION =
      t("MeshTrafficPermission", "meshtrafficpermissions", "meshtrafficpermission", MESH, SPEC);
  public static final ResourceType TRAFFIC_PERMISSION =
      t("TrafficPermission", "traffic-permissions", "traffic-permission", MESH, INLINE);

  /**
   * Internal: Kuma's system {@code Config} ({@code {config: "<text>"}}), state the control plane
   * keeps for itself, e.g. the VIPs of a mesh in {@code kuma-<mesh>-dns-vips}. As in Kuma it is
   * stored but not served: it is known by name (so stores can read it back) and absent from
   * {@link #all()}, the REST paths and kumactl.
   */
  public static final ResourceType CONFIG =
      new ResourceType("Config", "configs", "config", GLOBAL, INLINE, true);

  private static final List<ResourceType> ALL =
      List.of(
          MESH_TYPE,
          DATAPLANE,
          DATAPLANE_INSIGHT,
          SECRET,
          GLOBAL_SECRET,
          t("Zone", "zones", "zone", GLOBAL, INLINE),
          new ResourceType("MeshInsight", "mesh-insights", "mesh-insight", GLOBAL, INLINE, true),
          t("ExternalService", "external-services", "external-service", MESH, INLINE),
          // Legacy source/destination policies (still applied in 2.14).
          TRAFFIC_PERMISSION,
          t("TrafficRoute", "traffic-routes", "traffic-route", MESH, INLINE),
          t("HealthCheck", "health-checks", "health-check", MESH, INLINE),
          t("CircuitBreaker", "circuit-breakers", "circuit-breaker", MESH, INLINE),
          t("FaultInjection", "fault-injections", "fault-injection", MESH, INLINE),
          t("TrafficLog", "traffic-logs", "traffic-log", MESH, INLINE),
          t("TrafficTrace", "traffic-traces", "traffic-trace", MESH, INLINE),
          t("ProxyTemplate", "proxytemplates", "proxytemplate", MESH, INLINE),
          t("RateLimit", "rate-limits", "rate-limit", MESH, INLINE),
          t("Retry", "retries", "retry", MESH, INLINE),
          t("Timeout", "timeouts", "timeout", MESH, INLINE),
          t("VirtualOutbound", "virtual-outbounds", "virtual-outbound", MESH, INLINE),
          // targetRef policies and service-like plugin types.
          MESH_TRAFFIC_PERMISSION,
          t("MeshTimeout", "meshtimeouts", "meshtimeout", MESH, SPEC),
          t("MeshRetry", "meshretries", "meshretry", MESH, SPEC),
          t("MeshCircuitBreaker", "meshcircuitbreakers", "meshcircuitbreaker", MESH, SPEC),
          t("MeshHTTPRoute", "meshhttproutes", "meshhttproute", MESH, SPEC),
          t("MeshTCPRoute", "meshtcproutes", "meshtcproute", MESH, SPEC),
          t("MeshHealthCheck", "meshhealthchecks", "meshhealthcheck", MESH, SPEC),
          t("MeshFaultInjection", "meshfaultinjections", "meshfaultinjection", MESH, SPEC),
          t("MeshRateLimit", "meshratelimits", "meshratelimit", MESH, SPEC),
          t("MeshAccessLog", "meshaccesslogs", "meshaccesslog", MESH, SPEC),
          t("MeshTrace", "meshtraces", "meshtrace", MESH, SPEC),
          t("MeshMetric", "meshmetrics", "meshmetric", MESH, SPEC),
          t(
              "MeshLoadBalancingStrategy",
              "meshloadbalancingstrategies",
              "meshloadbalancingstrategy",
              MESH,
              SPEC),
          t("MeshProxyPatch", "meshproxypatches", "meshproxypatch", MESH, SPEC),
          t("MeshTLS", "meshtlses", "meshtls", MESH, SPEC),
          t("MeshPassthrough", "meshpassthroughs", "meshpassthrough", MESH, SPEC),
          t("MeshService", "meshservices", "meshservice", MESH, SPEC),
          t("MeshExternalService", "meshexternalservices", "meshexternalservice", MESH, SPEC));

  private static final Map<String, ResourceType> BY_NAME = index();

  private ResourceTypes() {}

  private static ResourceType t(
      String name,
      String plural,
      String singular,
      ResourceType.Scope scope,
      ResourceType.Shape shape) {
    return new ResourceType(name, plural, singular, scope, shape, false);
  }

  private static Map<String, ResourceType> index() {
    Map<String, ResourceType> m = new LinkedHashMap<>();
    for (ResourceType t : ALL) {
      m.put(t.name(), t);
    }
    m.put(CONFIG.name(), CONFIG);
    return Map.copyOf(m);
  }

  /** All types, sorted by name as Kuma's {@code /_resources} lists them. */
  public static List<ResourceType> all() {
    return ALL.stream().sorted(Comparator.comparing(ResourceType::name)).toList();
  }

  /** The type with this exact YAML type name. */
  public static Optional<ResourceType> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The type whose REST path segment is {@code plural}. */
  public static Optional<ResourceType> byPlural(String plural) {
    return ALL.stream().filter(t -> t.plural().equals(plural)).findFirst();
  }

  /**
   * Resolves what a user typed on the kumactl command line: a plural ({@code dataplanes}), a
   * singular ({@code dataplane}) or the type name in any case ({@code MeshTrafficPermission}).
   */
  public static Optional<ResourceType> byCliName(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return ALL.stream()
        .filter(
            t ->
                t.plural().equals(w)
                    || t.singular().equals(w)
                    || t.name().toLowerCase(Locale.ROOT).equals(w))
        .findFirst();
  }
}
