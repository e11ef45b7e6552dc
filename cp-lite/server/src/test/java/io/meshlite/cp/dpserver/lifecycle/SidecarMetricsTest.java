package io.meshlite.cp.dpserver.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.bootstrap.BootstrapResponse.Aggregate;
import io.meshlite.api.resource.ResourceCodec;
import org.junit.jupiter.api.Test;

class SidecarMetricsTest {
  @Test
  void readsTheAggregateListWithKumasDefaults() {
    var spec = ResourceCodec.parse(
        """
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 10.0.0.5
          inbound: [{port: 8080, tags: {kuma.io/service: web}}]
        metrics:
          type: prometheus
          conf:
            aggregate:
            - {name: app, port: 9100, path: /stats/prometheus, address: 127.0.0.1}
            - {name: sidecar-less, port: 9200}
            - {name: off, port: 9300, enabled: false}
            - {name: broken}
        """).spec();
    assertThat(SidecarMetrics.aggregates(spec))
        .containsExactly(
            new Aggregate("app", "127.0.0.1", 9100, "/stats/prometheus"),
            new Aggregate("sidecar-less", "10.0.0.5", 9200, "/metrics"));
  }

  @Test
  void noMetricsSectionMeansNoAggregates() {
    var spec = ResourceCodec.parse(
        "type: Dataplane\nmesh: default\nname: a\nnetworking: {address: 1.2.3.4, inbound: [{port: 1, tags: {kuma.io/service: a}}]}\n")
        .spec();
    assertThat(SidecarMetrics.aggregates(spec)).isEmpty();
  }
}
