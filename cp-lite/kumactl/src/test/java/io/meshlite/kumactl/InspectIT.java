package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InspectIT extends AgainstFakeApi {
  static final String OVERVIEWS =
      """
      {"total":3,"items":[
        {"type":"DataplaneOverview","mesh":"default","name":"backend-1",
         "creationTime":"2026-08-20T10:00:00Z","modificationTime":"2026-08-20T10:00:00Z",
         "dataplane":{"networking":{"address":"10.0.0.2","inbound":[{"port":8080,"tags":{"kuma.io/service":"backend","version":"v1"}}]}},
         "dataplaneInsight":{
           "subscriptions":[
             {"id":"1","controlPlaneInstanceId":"cp","connectTime":"2026-08-20T09:00:00Z","disconnectTime":"2026-08-20T10:00:00Z",
              "status":{"lastUpdateTime":"2026-08-20T09:30:00Z","total":{"responsesSent":"4","responsesRejected":"1"}}},
             {"id":"2","controlPlaneInstanceId":"cp","connectTime":"2026-08-20T10:00:00Z",
              "status":{"lastUpdateTime":"2026-08-20T11:59:00Z","total":{"responsesSent":"12","responsesAcknowledged":"12"}},
              "version":{"kumaDp":{"version":"0.1.0"},"envoy":{"version":"1.39.3"},"dependencies":{"coredns":"1.11.1"}}}],
           "mTLS":{"certificateExpirationTime":"2026-08-21T10:00:00Z","lastCertificateRegeneration":"2026-08-20T10:00:00Z",
                   "certificateRegenerations":2,"issuedBackend":"ca-1","supportedBackends":["ca-1"]}}},
        {"type":"DataplaneOverview","mesh":"default","name":"degraded",
         "creationTime":"2026-08-20T10:00:00Z","modificationTime":"2026-08-20T10:00:00Z",
         "dataplane":{"networking":{"address":"10.0.0.3","inbound":[
           {"port":8080,"tags":{"kuma.io/service":"web"}},
           {"port":9090,"state":"NotReady","tags":{"kuma.io/service":"web-admin"}}]}},
         "dataplaneInsight":{"subscriptions":[{"id":"3","connectTime":"2026-08-20T11:00:00Z","status":{}}]}},
        {"type":"DataplaneOverview","mesh":"default","name":"never-connected",
         "creationTime":"2026-08-20T10:00:00Z","modificationTime":"2026-08-20T10:00:00Z",
         "dataplane":{"networking":{"address":"10.0.0.4","inbound":[{"port":80,"tags":{"kuma.io/service":"db"}}]}},
         "dataplaneInsight":{}}],
       "next":null}
      """;

  @Test
  void dataplanesWithInsights() {
    api.on("GET /meshes/default/dataplanes+insights", 200, OVERVIEWS);

    Cli.Result r = cli.run("inspect", "dataplanes");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    Golden.assertMatches(r.out(), "inspect/dataplanes.golden.txt");
  }

  @Test
  void tagAndGatewayFiltersAreSent() {
    api.on("GET /meshes/prod/dataplanes+insights", 200, "{\"total\":0,\"items\":[],\"next\":null}");

    Cli.Result r = cli.run("inspect", "dataplanes", "-m", "prod", "--tag", "kuma.io/service=web", "--gateway");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(api.requests())
        .extracting(FakeApi.Request::line)
        .containsExactly("GET /meshes/prod/dataplanes+insights?tag=kuma.io%2Fservice%3Aweb&gateway=true");
  }

  @Test
  void withoutTheInsightsEndpointDataplanesAreListedWithUnknownStatus() {
    api.on("GET /meshes/default/dataplanes", 200, GetIT.DATAPLANES);

    Cli.Result r = cli.run("inspect", "dataplanes");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .isEqualTo(
            "Note: the control plane does not serve /meshes/default/dataplanes+insights (HTTP 404);"
                + " dataplanes are listed without insights, their status is unknown\n");
    Golden.assertMatches(r.out(), "inspect/dataplanes-without-insights.golden.txt");
  }

  @Test
  void meshesFromInsights() {
    api.on("GET /mesh-insights", 200,
        """
        {"total":1,"items":[{"type":"MeshInsight","name":"default",
          "dataplanes":{"total":3,"online":2,"offline":1},
          "policies":{"TrafficPermission":{"total":1},"RateLimit":{"total":4},"MeshTrafficPermission":{"total":9}}}],"next":null}
        """);

    Cli.Result r = cli.run("inspect", "meshes");

    assertThat(r.code()).as(r.err()).isZero();
    Golden.assertMatches(r.out(), "inspect/meshes.golden.txt");
  }

  @Test
  void meshesWithoutInsightsCountFromLists() {
    api.on("GET /meshes", 200, GetIT.MESHES)
        .on("GET /meshes/default/dataplanes?size=1", 200, "{\"total\":3,\"items\":[],\"next\":null}")
        .on("GET /meshes/default/traffic-permissions?size=1", 200, "{\"total\":2,\"items\":[],\"next\":null}")
        .on("GET /meshes/secure/dataplanes?size=1", 200, "{\"total\":1,\"items\":[],\"next\":null}");

    Cli.Result r = cli.run("inspect", "meshes");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).startsWith("Note: the control plane does not serve /mesh-insights (HTTP 404)");
    Golden.assertMatches(r.out(), "inspect/meshes-without-insights.golden.txt");
  }
}
