package io.meshlite.agent.metrics;

import java.util.List;
import java.util.Set;

/**
 * Merges Prometheus text bodies as Kuma's hijacker does: bodies are concatenated, every {@code #
 * EOF} line is dropped (the merged body is served as text format 0.0.4, which has none) and blank
 * lines (duplicate newlines) are dropped. In Envoy's body, {@code kuma_io_mesh_traffic="true"} is added to the series
 * of mesh clusters and HTTP connection managers, so dashboards can tell mesh traffic from the
 * proxy's own (xDS, admin, metrics) traffic.
 */
public final class MetricsMerger {
  static final String MESH_TRAFFIC = "kuma_io_mesh_traffic=\"true\"";

  /** Clusters that carry the proxy's own traffic (Kuma's names, then the 2.x ones we generate). */
  private static final Set<String> SYSTEM_CLUSTERS = Set.of(
      "system_ads", "system_access_log_sink", "kuma_envoy_admin", "kuma_metrics_hijacker",
      "ads_cluster", "access_log_sink");

  private static final List<String> SYSTEM_HTTP_PREFIXES = List.of("admin", "kuma_envoy_admin", "kuma_metrics_prometheus");

  private MetricsMerger() {}

  /** One scraped body; {@code envoy} marks Envoy's own stats. */
  public record Body(String text, boolean envoy) {}

  /** The merged text. */
  public static String merge(List<Body> bodies) {
    StringBuilder out = new StringBuilder();
    for (Body b : bodies) {
      for (String line : b.text().split("\n")) {
        String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (l.isBlank() || l.strip().equals("# EOF")) {
          continue;
        }
        out.append(b.envoy() ? labelMeshTraffic(l) : l).append('\n');
      }
    }
    return out.toString();
  }

  /** Adds the mesh-traffic label to one Envoy series line when it is about mesh traffic. */
  static String labelMeshTraffic(String line) {
    if (line.startsWith("#")) {
      return line;
    }
    int brace = line.indexOf('{');
    if (brace < 0) {
      return line;
    }
    String cluster = labelValue(line, brace, "envoy_cluster_name");
    if (cluster != null) {
      return SYSTEM_CLUSTERS.contains(cluster) ? line : insert(line, brace);
    }
    String prefix = labelValue(line, brace, "envoy_http_conn_manager_prefix");
    if (prefix != null && line.startsWith("envoy_http_")) {
      return SYSTEM_HTTP_PREFIXES.stream().anyMatch(prefix::startsWith) ? line : insert(line, brace);
    }
    return line;
  }

  private static String insert(String line, int brace) {
    boolean empty = brace + 1 < line.length() && line.charAt(brace + 1) == '}';
    return line.substring(0, brace + 1) + MESH_TRAFFIC + (empty ? "" : ",") + line.substring(brace + 1);
  }

  private static String labelValue(String line, int brace, String label) {
    int i = line.indexOf(label + "=\"", brace);
    if (i < 0 || (line.charAt(i - 1) != '{' && line.charAt(i - 1) != ',')) {
      return null;
    }
    int start = i + label.length() + 2;
    int end = line.indexOf('"', start);
    return end < 0 ? null : line.substring(start, end);
  }
}
