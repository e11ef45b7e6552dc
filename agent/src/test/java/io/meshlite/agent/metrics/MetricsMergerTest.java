package io.meshlite.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsMergerTest {
  @Test
  void concatenatesDropsEofAndCollapsesBlankLines() {
    String envoy = "# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n\n\n";
    String app = "# TYPE app_requests counter\napp_requests_total 7\n# EOF\n";
    String other = "\r\n# EOF\r\nother_up 1\r\n";
    assertThat(MetricsMerger.merge(List.of(
            new MetricsMerger.Body(envoy, true),
            new MetricsMerger.Body(app, false),
            new MetricsMerger.Body(other, false))))
        .isEqualTo("# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n"
            + "# TYPE app_requests counter\napp_requests_total 7\nother_up 1\n");
  }

  @Test
  void labelsMeshTrafficButNotTheProxysOwn() {
    assertThat(MetricsMerger.labelMeshTraffic("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"backend\"} 3"))
        .isEqualTo("envoy_cluster_upstream_cx_total{kuma_io_mesh_traffic=\"true\",envoy_cluster_name=\"backend\"} 3");
    assertThat(MetricsMerger.labelMeshTraffic("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"ads_cluster\"} 1"))
        .doesNotContain("kuma_io_mesh_traffic");
    assertThat(MetricsMerger.labelMeshTraffic("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"system_ads\"} 1"))
        .doesNotContain("kuma_io_mesh_traffic");
    assertThat(MetricsMerger.labelMeshTraffic("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"inbound_8080\"} 2"))
        .contains("kuma_io_mesh_traffic=\"true\"");
    assertThat(MetricsMerger.labelMeshTraffic("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"admin\"} 2"))
        .doesNotContain("kuma_io_mesh_traffic");
    assertThat(MetricsMerger.labelMeshTraffic("envoy_server_live{} 1")).isEqualTo("envoy_server_live{} 1");
    assertThat(MetricsMerger.labelMeshTraffic("# HELP envoy_cluster_x {envoy_cluster_name=\"a\"}"))
        .doesNotContain("kuma_io_mesh_traffic");
  }

  @Test
  void applicationSeriesAreLeftAlone() {
    String app = "envoy_cluster_fake{envoy_cluster_name=\"backend\"} 1\n";
    assertThat(MetricsMerger.merge(List.of(new MetricsMerger.Body(app, false)))).isEqualTo(app);
  }
}
