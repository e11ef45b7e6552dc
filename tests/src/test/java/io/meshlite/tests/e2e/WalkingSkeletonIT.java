package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.TcpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P1 end to end: kuma-cp, two kuma-tcp-echo services, two Dataplanes applied with kumactl, two
 * kuma-dp running real Envoy. A request to the client's outbound port reaches the backend through
 * both Envoys; deleting the backend's Dataplane empties the client's cluster. Everything runs with
 * Kuma's defaults: TLS on the dataplane server (kuma-dp trusts kuma-cp's CA) and a dataplane token
 * for each proxy, made with {@code kumactl generate dataplane-token}.
 */
class WalkingSkeletonIT {
  @TempDir Path work;

  private ControlPlane cp;
  private Kumactl kumactl;
  private final List<AutoCloseable> processes = new java.util.ArrayList<>();

  @BeforeEach
  void startControlPlane() {
    cp = ControlPlane.start(work, Map.of());
    kumactl = new Kumactl(work, cp.apiUrl());
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable p : processes.reversed()) {
      p.close();
    }
    cp.close();
  }

  private JavaProcess echo(String name, int port) {
    JavaProcess p =
        JavaProcess.start(
            name, work, "io.meshlite.agent.echo.TcpEchoMain", List.of("-port", String.valueOf(port)), Map.of());
    processes.add(p);
    await(name + " listening")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(port, "ping").equals("ping"));
    return p;
  }

  private DataplaneAgent agent(String name) {
    DataplaneAgent a = DataplaneAgent.start(work, cp.dpServerUrl(), "default", name, List.of(), Map.of());
    processes.add(a);
    return a.awaitReady();
  }

  @Test
  void trafficFlowsThroughBothEnvoysAndFollowsTheStore() {
    int backendApp = Ports.free();
    int webApp = Ports.free();
    int backendInbound = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    echo("echo-backend", backendApp);
    echo("echo-web", webApp);

    JavaProcess.Result applied =
        kumactl.apply(
            """
            type: Dataplane
            mesh: default
            name: backend-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags:
                  kuma.io/service: backend
            ---
            type: Dataplane
            mesh: default
            name: web-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags:
                  kuma.io/service: web
              outbound:
              - port: %d
                tags:
                  kuma.io/service: backend
            """
                .formatted(backendInbound, backendApp, webInbound, webApp, webOutbound));
    assertThat(applied.exitCode()).as(applied.output()).isZero();

    DataplaneAgent backend = agent("backend-1");
    DataplaneAgent web = agent("web-1");
    assertThat(cp.dpServerUrl()).startsWith("https://");
    assertThat(cp.logLines("dataplane authenticated dp=backend-1 mesh=default")).isNotEmpty();
    assertThat(cp.logLines("dataplane authenticated dp=web-1 mesh=default")).isNotEmpty();

    await("client cluster has the backend endpoint")
        .atMost(Duration.ofSeconds(30))
        .until(() -> web.admin().healthyEndpoints("backend").equals(List.of("127.0.0.1:" + backendInbound)));

    String message = "hello through the mesh\n";
    await("echo through both Envoys")
        .atMost(Duration.ofSeconds(15))
        .until(() -> TcpClient.roundTrip(webOutbound, message).equals(message));

    assertThat(web.admin().stat("cluster.backend.upstream_cx_total").orElse(0)).isPositive();
    assertThat(backend.admin().stat("cluster.localhost_" + backendApp + ".upstream_cx_total").orElse(0))
        .isPositive();

    JavaProcess.Result deleted = kumactl.run("delete", "dataplane", "backend-1", "--mesh", "default");
    assertThat(deleted.exitCode()).as(deleted.output()).isZero();
    long start = System.nanoTime();
    await("backend endpoint removed from the client's cluster")
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> web.admin().healthyEndpoints("backend").isEmpty());
    System.out.printf("endpoint removal reached Envoy in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void invalidDataplaneIsRefusedAndNothingIsStored() {
    JavaProcess.Result r =
        kumactl.apply(
            """
            type: Dataplane
            mesh: default
            name: ok-1
            networking:
              address: 127.0.0.1
              inbound: [{port: 10001, tags: {kuma.io/service: ok}}]
            ---
            type: Dataplane
            mesh: default
            name: broken-1
            networking:
              address: 127.0.0.1
              inbound: [{port: 10002, tags: {version: v1}}]
            """);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("networking.inbound[0].tags[\"kuma.io/service\"]");
    Http.Response list = Http.get(cp.apiUrl() + "/meshes/default/dataplanes");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).contains("\"total\":0").doesNotContain("ok-1");
  }

  @Test
  void agentForAnUnknownDataplaneExitsWithOneClearLine() throws Exception {
    DataplaneAgent a =
        DataplaneAgent.start(
            work,
            cp.dpServerUrl(),
            "default",
            "ghost-1",
            List.of(),
            Map.of("KUMA_CONTROL_PLANE_RETRY_BACKOFF", "100ms", "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "1s"));
    processes.add(a);
    assertThat(a.process().process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(a.process().process().exitValue()).isNotZero();
    assertThat(a.process().output()).contains("ghost-1").containsIgnoringCase("apply");
  }
}
