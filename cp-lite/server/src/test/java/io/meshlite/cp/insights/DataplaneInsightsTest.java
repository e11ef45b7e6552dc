package io.meshlite.cp.insights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataplaneInsightsTest {
  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) Json.mapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void onlineNeedsAConnectedSubscriptionWithoutDisconnect() {
    assertThat(DataplaneInsights.online(json("{}"))).isFalse();
    assertThat(DataplaneInsights.online(json("{\"subscriptions\":[]}"))).isFalse();
    assertThat(
            DataplaneInsights.online(
                json("{\"subscriptions\":[{\"id\":\"1\",\"connectTime\":\"2026-01-01T00:00:00Z\",\"disconnectTime\":\"2026-01-01T00:01:00Z\"}]}")))
        .isFalse();
    assertThat(
            DataplaneInsights.online(
                json("{\"subscriptions\":[{\"id\":\"1\",\"connectTime\":\"2026-01-01T00:00:00Z\",\"disconnectTime\":\"2026-01-01T00:01:00Z\"},"
                    + "{\"id\":\"2\",\"connectTime\":\"2026-01-01T00:02:00Z\"}]}")))
        .isTrue();
    assertThat(DataplaneInsights.online(json("{\"subscriptions\":[{\"id\":\"1\",\"disconnectTime\":null}]}"))).isFalse();
  }

  @Test
  void aSubscriptionReplacesTheOneWithItsIdOrIsAppendedAndTheOldestAreDropped() {
    ObjectNode insight =
        json("{\"mTLS\":{\"issuedBackend\":\"ca-1\"},\"subscriptions\":[{\"id\":\"a\",\"connectTime\":\"t1\"},{\"id\":\"b\",\"connectTime\":\"t2\"}]}");

    ObjectNode replaced =
        DataplaneInsights.withSubscription(insight, json("{\"id\":\"a\",\"connectTime\":\"t1\",\"disconnectTime\":\"t3\"}"), 2);
    assertThat(ids(replaced)).isEqualTo("a,b");
    assertThat(replaced.path("subscriptions").get(0).path("disconnectTime").asText()).isEqualTo("t3");
    assertThat(replaced.path("mTLS").path("issuedBackend").asText()).isEqualTo("ca-1");

    ObjectNode appended = DataplaneInsights.withSubscription(insight, json("{\"id\":\"c\"}"), 2);
    assertThat(ids(appended)).isEqualTo("b,c");
    assertThat(ids(DataplaneInsights.withSubscription(insight, json("{\"id\":\"c\"}"), 0))).isEqualTo("a,b,c");
    assertThat(ids(DataplaneInsights.withSubscription(null, json("{\"id\":\"c\"}"), 2))).isEqualTo("c");
    // the input is not changed
    assertThat(ids(insight)).isEqualTo("a,b");
  }

  @Test
  void closingAbandonedSubscriptionsTouchesOnlyOpenOnesOfThisInstance() {
    ObjectNode insight =
        json(
            "{\"subscriptions\":["
                + "{\"id\":\"1\",\"controlPlaneInstanceId\":\"me-5678\",\"connectTime\":\"a\",\"disconnectTime\":\"b\"},"
                + "{\"id\":\"2\",\"controlPlaneInstanceId\":\"other-5678\",\"connectTime\":\"c\"},"
                + "{\"id\":\"3\",\"controlPlaneInstanceId\":\"me-5678\",\"connectTime\":\"d\"}]}");
    Instant now = Instant.parse("2026-08-20T10:00:00Z");

    Optional<ObjectNode> closed = DataplaneInsights.closeAbandoned(insight, "me-5678", now);

    assertThat(closed).isPresent();
    JsonNode subs = closed.get().path("subscriptions");
    assertThat(subs.get(0).path("disconnectTime").asText()).isEqualTo("b");
    assertThat(subs.get(1).has("disconnectTime")).isFalse();
    assertThat(subs.get(2).path("disconnectTime").asText()).isEqualTo("2026-08-20T10:00:00Z");
    assertThat(DataplaneInsights.online(closed.get())).isTrue(); // another instance still serves it
    assertThat(DataplaneInsights.closeAbandoned(closed.get(), "me-5678", now)).isEmpty();
    assertThat(DataplaneInsights.closeAbandoned(insight, "nobody", now)).isEmpty();
  }

  @Test
  void anOverviewCarriesTheDataplaneAndItsInsight() {
    Resource dp =
        ResourceCodec.parse(
                "type: Dataplane\nmesh: demo\nname: web-1\nlabels: {team: a}\n"
                    + "networking: {address: 10.0.0.1, inbound: [{port: 80, tags: {kuma.io/service: web}}]}\n")
            .withMeta(
                new ResourceMeta(3, Instant.parse("2026-08-20T09:00:00Z"), Instant.parse("2026-08-20T09:30:00Z"), Map.of("team", "a")));
    Resource insight =
        new Resource(
            ResourceTypes.DATAPLANE_INSIGHT, "demo", "web-1", ResourceMeta.draft(Map.of()),
            json("{\"subscriptions\":[{\"id\":\"s\",\"connectTime\":\"2026-08-20T09:00:01Z\"}]}"));

    ObjectNode o = DataplaneInsights.overview(dp, Optional.of(insight));

    assertThat(o.path("type").asText()).isEqualTo("DataplaneOverview");
    assertThat(o.path("mesh").asText()).isEqualTo("demo");
    assertThat(o.path("name").asText()).isEqualTo("web-1");
    assertThat(o.path("creationTime").asText()).isEqualTo("2026-08-20T09:00:00Z");
    assertThat(o.path("modificationTime").asText()).isEqualTo("2026-08-20T09:30:00Z");
    assertThat(o.path("labels").path("team").asText()).isEqualTo("a");
    assertThat(o.path("dataplane").path("networking").path("address").asText()).isEqualTo("10.0.0.1");
    assertThat(o.path("dataplane").has("type")).isFalse();
    assertThat(o.path("dataplaneInsight").path("subscriptions").get(0).path("id").asText()).isEqualTo("s");

    ObjectNode without = DataplaneInsights.overview(dp, Optional.empty());
    assertThat(without.path("dataplaneInsight").isObject()).isTrue();
    assertThat(without.path("dataplaneInsight").isEmpty()).isTrue();
  }

  private static String ids(JsonNode insight) {
    StringBuilder b = new StringBuilder();
    insight.path("subscriptions").forEach(s -> b.append(b.isEmpty() ? "" : ",").append(s.path("id").asText()));
    return b.toString();
  }
}
