package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataplane status end to end (issue #3): a real kuma-dp + Envoy connecting to kuma-cp on SQLite
 * makes its Dataplane Online in {@code /meshes/{mesh}/dataplanes+insights} and in {@code kumactl
 * inspect dataplanes}; stopping kuma-dp makes it Offline; after a kuma-cp restart the Dataplane and
 * its history are still there and the proxy, which reconnects by itself, is Online again.
 */
class DataplaneStatusIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private ControlPlane cp;
  private DataplaneAgent agent;

  @AfterEach
  void stopAll() {
    if (agent != null) {
      agent.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  private JsonNode overview() throws Exception {
    Http.Response r = Http.get(cp.apiUrl() + "/meshes/default/dataplanes+insights/web-1");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static boolean online(JsonNode overview) {
    for (JsonNode s : overview.path("dataplaneInsight").path("subscriptions")) {
      if (s.hasNonNull("connectTime") && !s.hasNonNull("disconnectTime")) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode lastSubscription(JsonNode overview) {
    JsonNode subs = overview.path("dataplaneInsight").path("subscriptions");
    return subs.get(subs.size() - 1);
  }

  /** The {@code kumactl inspect dataplanes} row of web-1. */
  private static String inspectRow(Kumactl kumactl) {
    JavaProcess.Result r = kumactl.run("inspect", "dataplanes");
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output().lines().filter(l -> l.contains("web-1")).findFirst().orElseThrow(() -> new AssertionError(r.output()));
  }

  @Test
  void onlineWhileConnectedOfflineWhenStoppedAndOnlineAgainAfterAControlPlaneRestart() throws Exception {
    Map<String, String> env =
        Map.of(
            "KUMA_STORE_TYPE", "sqlite",
            "KUMA_STORE_SQLITE_PATH", work.resolve("kuma.db").toString(),
            "KUMA_DP_SERVER_PORT", String.valueOf(Ports.free()));
    cp = ControlPlane.start(work.resolve("cp"), env);
    Kumactl kumactl = new Kumactl(work.resolve("kumactl"), cp.apiUrl());
    JavaProcess.Result applied =
        kumactl.apply(
            """
            type: Dataplane
            mesh: default
            name: web-1
            networking:
              address: 127.0.0.1
              inbound: [{port: %d, servicePort: %d, tags: {kuma.io/service: web}}]
            """
                .formatted(Ports.free(), Ports.free()));
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    assertThat(inspectRow(kumactl)).contains("Offline");

    agent = DataplaneAgent.start(work, cp, "default", "web-1", List.of(), Map.of()).awaitReady();
    await("web-1 Online").atMost(Duration.ofSeconds(30)).until(() -> online(overview()));
    JsonNode first = lastSubscription(overview());
    assertThat(first.path("version").path("kumaDp").path("version").asText()).isNotEmpty();
    assertThat(first.path("version").path("envoy").path("version").asText()).isNotEmpty();
    String row = inspectRow(kumactl);
    assertThat(row).contains("Online").contains(first.path("version").path("envoy").path("version").asText());
    JavaProcess.Result meshes = kumactl.run("inspect", "meshes");
    assertThat(meshes.exitCode()).as(meshes.output()).isZero();
    assertThat(meshes.output().lines().filter(l -> l.startsWith("default ")).findFirst().orElseThrow())
        .as(meshes.output())
        .matches("default +1/1 .*");

    agent.close();
    agent = null;
    long stopped = System.nanoTime();
    await("web-1 Offline").atMost(Duration.ofSeconds(15)).until(() -> !online(overview()));
    System.out.printf("Offline %d ms after kuma-dp stopped%n", (System.nanoTime() - stopped) / 1_000_000);
    assertThat(lastSubscription(overview()).path("id").asText()).isEqualTo(first.path("id").asText());
    assertThat(inspectRow(kumactl)).contains("Offline");

    agent = DataplaneAgent.start(work, cp, "default", "web-1", List.of(), Map.of()).awaitReady();
    await("web-1 Online again").atMost(Duration.ofSeconds(30)).until(() -> online(overview()));
    String beforeRestart = lastSubscription(overview()).path("id").asText();

    cp = cp.restart();
    JsonNode kept = overview();
    assertThat(kept.path("dataplane").path("networking").path("address").asText()).isEqualTo("127.0.0.1");
    assertThat(kept.path("dataplaneInsight").path("subscriptions").toString()).contains(beforeRestart);
    long restarted = System.nanoTime();
    await("web-1 reconnected to the restarted kuma-cp")
        .atMost(Duration.ofSeconds(60))
        .until(() -> online(overview()) && !lastSubscription(overview()).path("id").asText().equals(beforeRestart));
    System.out.printf("Online %d ms after kuma-cp restarted%n", (System.nanoTime() - restarted) / 1_000_000);
    for (JsonNode s : overview().path("dataplaneInsight").path("subscriptions")) {
      if (s.path("id").asText().equals(beforeRestart)) {
        assertThat(s.hasNonNull("disconnectTime")).as("the stream of the old kuma-cp is closed: %s", s).isTrue();
      }
    }
    assertThat(inspectRow(kumactl)).contains("Online");
  }
}
