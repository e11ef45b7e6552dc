package io.meshlite.cp.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void rendersCountersAndGaugesInPrometheusTextFormat() {
    Metrics m = new Metrics();
    Metrics.Counter c = m.counter("requests_total", "Requests.", "method", "path");
    c.inc("GET", "/a\"b");
    c.inc("GET", "/a\"b");
    c.inc("PUT", "/x");
    m.gauge("up", "Up.", () -> 1);
    m.gauge("ratio", "Ratio.", () -> 0.5);

    assertThat(c.get("GET", "/a\"b")).isEqualTo(2);
    assertThat(m.scrape())
        .isEqualTo(
            """
            # HELP ratio Ratio.
            # TYPE ratio gauge
            ratio 0.5
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total{method="GET",path="/a\\"b"} 2
            requests_total{method="PUT",path="/x"} 1
            # HELP up Up.
            # TYPE up gauge
            up 1
            """);
  }

  @Test
  void labelCountMustMatch() {
    Metrics m = new Metrics();
    Metrics.Counter c = m.counter("x_total", "X.", "a");
    assertThatThrownBy(() -> c.inc("1", "2")).isInstanceOf(IllegalArgumentException.class);
    assertThat(m.counter("x_total", "X.", "a")).isSameAs(c);
  }
}
