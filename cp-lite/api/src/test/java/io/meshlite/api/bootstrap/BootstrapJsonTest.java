package io.meshlite.api.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kuma-dp's Jackson-free codec must produce and accept exactly what kuma-cp's Jackson mapper does. */
class BootstrapJsonTest {

  private static final BootstrapRequest FULL =
      new BootstrapRequest(
          "default", "web-1", "dataplane", "tok\"en", "/var/run/token", "{\"type\":\"Dataplane\"}",
          new BootstrapRequest.Version(
              new BootstrapRequest.KumaDp("2.14.0", "2.14.0", null, "unknown"),
              new BootstrapRequest.Envoy("1.36.2", "abc/1.36.2/Clean/RELEASE/BoringSSL", true)),
          "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
          Map.of("k", "v"), 15053, 9902, false, "linux", List.of("feature-a", "feature-b"),
          new BootstrapRequest.Resources(2_147_483_648L), "/tmp/work",
          new BootstrapRequest.MetricsResources("/c.pem", null), "/etc/ssl/certs", true, 9901);

  @Test
  void aFullRequestIsTheDocumentJacksonWrites() throws Exception {
    byte[] ours = BootstrapJson.request(FULL);
    assertThat(Json.mapper().readTree(ours)).isEqualTo(Json.mapper().valueToTree(FULL));
    assertThat(Json.mapper().readValue(ours, BootstrapRequest.class)).isEqualTo(FULL);
  }

  @Test
  void aMinimalRequestLeavesItsNullFieldsOut() throws Exception {
    BootstrapRequest r = new BootstrapRequest(
        "m", "n", null, null, null, null, new BootstrapRequest.Version(null, null), null, null, null, null,
        null, null, null, null, null, null, null, null, null);
    String ours = new String(BootstrapJson.request(r), StandardCharsets.UTF_8);
    assertThat(ours).isEqualTo("{\"mesh\":\"m\",\"name\":\"n\",\"version\":{\"kumaDp\":null,\"envoy\":null}}");
    assertThat(Json.mapper().readTree(ours)).isEqualTo(Json.mapper().valueToTree(r));
  }

  @Test
  void readsTheAnswerKumaCpWrites() throws Exception {
    BootstrapResponse sent = new BootstrapResponse(
        "{\"node\":{\"id\":\"default.web-1\"}}".getBytes(StandardCharsets.UTF_8),
        new BootstrapResponse.KumaSidecarConfiguration(
            new BootstrapResponse.Networking("10.0.0.1"),
            new BootstrapResponse.Metrics(List.of(
                new BootstrapResponse.Aggregate("app", "127.0.0.1", 8080, "/metrics"),
                new BootstrapResponse.Aggregate("side", null, 0, null)))));
    BootstrapResponse read = BootstrapJson.parseResponse(Json.mapper().writeValueAsBytes(sent));
    assertThat(read.bootstrap()).isEqualTo(sent.bootstrap());
    assertThat(read.kumaSidecarConfiguration()).isEqualTo(sent.kumaSidecarConfiguration());

    byte[] ours = BootstrapJson.response(sent);
    assertThat(Json.mapper().readTree(ours)).isEqualTo(Json.mapper().readTree(Json.mapper().writeValueAsBytes(sent)));
    BootstrapResponse back = Json.mapper().readValue(ours, BootstrapResponse.class);
    assertThat(Arrays.equals(back.bootstrap(), sent.bootstrap())).isTrue();
    assertThat(back.kumaSidecarConfiguration()).isEqualTo(sent.kumaSidecarConfiguration());
  }

  @Test
  void readsPartialAnswersAndIgnoresUnknownFields() throws Exception {
    BootstrapResponse bare = new BootstrapResponse("x".getBytes(StandardCharsets.UTF_8), null);
    assertThat(Json.mapper().readTree(BootstrapJson.response(bare)))
        .isEqualTo(Json.mapper().readTree(Json.mapper().writeValueAsBytes(bare)));
    BootstrapResponse r = BootstrapJson.parseResponse(
        "{\"bootstrap\":\"eA==\",\"extra\":[1],\"kumaSidecarConfiguration\":{\"networking\":{}}}"
            .getBytes(StandardCharsets.UTF_8));
    assertThat(r.bootstrap()).containsExactly('x');
    assertThat(r.kumaSidecarConfiguration().networking().address()).isNull();
    assertThat(r.kumaSidecarConfiguration().metrics()).isNull();
    assertThat(BootstrapJson.parseResponse("{}".getBytes(StandardCharsets.UTF_8)).bootstrap()).isNull();
  }

  @Test
  void namesTheFieldOfAWrongAnswer() {
    assertThatThrownBy(() -> BootstrapJson.parseResponse("{\"bootstrap\":\"*\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("bootstrap: not base64");
    assertThatThrownBy(() -> BootstrapJson.parseResponse(
            "{\"kumaSidecarConfiguration\":{\"metrics\":{\"aggregate\":[{\"port\":\"80\"}]}}}"
                .getBytes(StandardCharsets.UTF_8)))
        .hasMessage("kumaSidecarConfiguration.metrics.aggregate[0].port: expected an integer, found string");
    assertThatThrownBy(() -> BootstrapJson.parseResponse("not json".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("line 1, column 1");
  }
}
