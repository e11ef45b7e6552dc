package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.testing.Ports;
import io.meshlite.cp.store.jdbc.PostgresFixture;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.TcpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * P2 across processes: state survives a kuma-cp restart on SQLite, and with two kuma-cp on one
 * Postgres a change applied through one reaches an Envoy connected to the other (LISTEN/NOTIFY).
 */
class DurableStateIT {
  @RegisterExtension static final PostgresFixture PG = new PostgresFixture();

  @TempDir Path work;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  @Test
  void sqliteStateSurvivesARestart() throws Exception {
    Map<String, String> env =
        Map.of("KUMA_STORE_TYPE", "sqlite", "KUMA_STORE_SQLITE_PATH", work.resolve("kuma.db").toString());
    ControlPlane first = ControlPlane.start(work.resolve("cp1"), env);
    Kumactl kumactl = new Kumactl(work.resolve("k1"), first.apiUrl());
    JavaProcess.Result r =
        kumactl.apply(
            """
            type: Mesh
            name: demo
            ---
            type: Dataplane
            mesh: demo
            name: backend-1
            labels: {team: payments}
            networking:
              address: 127.0.0.1
              inbound: [{port: 10001, servicePort: 9000, tags: {kuma.io/service: backend}}]
            """);
    assertThat(r.exitCode()).as(r.output()).isZero();
    String before = Http.get(first.apiUrl() + "/meshes/demo/dataplanes/backend-1").body();
    assertThat(first.process().terminate(Duration.ofSeconds(30))).isZero();
    first.close();

    try (ControlPlane second = ControlPlane.start(work.resolve("cp2"), env)) {
      Http.Response after = Http.get(second.apiUrl() + "/meshes/demo/dataplanes/backend-1");
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body()).isEqualTo(before).contains("\"team\":\"payments\"");
      assertThat(Http.get(second.apiUrl() + "/meshes/default").status()).isEqualTo(200);
    }
  }

  @Test
  void aChangeThroughOneControlPlaneReachesEnvoysOfAnother() throws Exception {
    String db = PG.createDatabase();
    Map<String, String> env = new HashMap<>();
    env.put("KUMA_STORE_TYPE", "postgres");
    env.put("KUMA_STORE_POSTGRES_HOST", "127.0.0.1");
    env.put("KUMA_STORE_POSTGRES_PORT", String.valueOf(PG.port()));
    env.put("KUMA_STORE_POSTGRES_USER", "postgres");
    env.put("KUMA_STORE_POSTGRES_PASSWORD", "unused");
    env.put("KUMA_STORE_POSTGRES_DB_NAME", db);
    JavaProcess.Result migrated =
        JavaProcess.run("migrate", work, "io.meshlite.cp.CpMain", List.of("migrate", "up"), env);
    assertThat(migrated.exitCode()).as(migrated.output()).isZero();
    assertThat(migrated.output()).contains("DB has been migrated");

    ControlPlane a = keep(ControlPlane.start(work.resolve("cp-a"), env));
    ControlPlane b = keep(ControlPlane.start(work.resolve("cp-b"), env));
    Kumactl viaA = new Kumactl(work.resolve("ka"), a.apiUrl());

    int app1 = Ports.free();
    int app2 = Ports.free();
    int in1 = Ports.free();
    int in2 = Ports.free();
    int webIn = Ports.free();
    int webOut = Ports.free();
    for (int port : List.of(app1, app2)) {
      keep(JavaProcess.start("echo-" + port, work, "io.meshlite.agent.echo.TcpEchoMain", List.of("-port", String.valueOf(port)), Map.of()));
    }
    String dp =
        """
        type: Dataplane
        mesh: default
        name: %s
        networking:
          address: 127.0.0.1
          inbound: [{port: %d, servicePort: %d, tags: {kuma.io/service: %s}}]
        """;
    JavaProcess.Result r =
        viaA.apply(
            dp.formatted("backend-1", in1, app1, "backend")
                + "---\n"
                + dp.formatted("web-1", webIn, app1, "web")
                + "  outbound: [{port: %d, tags: {kuma.io/service: backend}}]\n".formatted(webOut));
    assertThat(r.exitCode()).as(r.output()).isZero();

    DataplaneAgent backend1 = keep(DataplaneAgent.start(work, a.dpServerUrl(), "default", "backend-1", List.of(), Map.of()));
    DataplaneAgent web = keep(DataplaneAgent.start(work, b.dpServerUrl(), "default", "web-1", List.of(), Map.of()));
    await("both Envoys ready")
        .atMost(Duration.ofSeconds(60))
        .until(() -> backend1.admin().ready() && web.admin().ready());
    await("traffic through web (on CP b) to backend-1 (on CP a)")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(webOut, "hi\n").equals("hi\n"));

    JavaProcess.Result added = viaA.apply(dp.formatted("backend-2", in2, app2, "backend"));
    assertThat(added.exitCode()).as(added.output()).isZero();
    long start = System.nanoTime();
    await("backend-2, applied through CP a, reaches the Envoy connected to CP b")
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> web.admin().healthyEndpoints("backend").size() == 2);
    System.out.printf("cross-CP propagation: %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void killedDuringWritesOnSqliteLosesNoAcknowledgedWrite() throws Exception {
    Map<String, String> env =
        Map.of("KUMA_STORE_TYPE", "sqlite", "KUMA_STORE_SQLITE_PATH", work.resolve("crash.db").toString());
    assertNoAcknowledgedWriteLost(env);
  }

  @Test
  void killedDuringWritesOnPostgresLosesNoAcknowledgedWrite() throws Exception {
    Map<String, String> env = postgresEnv(PG.createDatabase());
    JavaProcess.Result migrated =
        JavaProcess.run("migrate", work, "io.meshlite.cp.CpMain", List.of("migrate", "up"), env);
    assertThat(migrated.exitCode()).as(migrated.output()).isZero();
    assertNoAcknowledgedWriteLost(env);
  }

  private static Map<String, String> postgresEnv(String db) {
    Map<String, String> env = new HashMap<>();
    env.put("KUMA_STORE_TYPE", "postgres");
    env.put("KUMA_STORE_POSTGRES_HOST", "127.0.0.1");
    env.put("KUMA_STORE_POSTGRES_PORT", String.valueOf(PG.port()));
    env.put("KUMA_STORE_POSTGRES_USER", "postgres");
    env.put("KUMA_STORE_POSTGRES_PASSWORD", "unused");
    env.put("KUMA_STORE_POSTGRES_DB_NAME", db);
    return env;
  }

  /**
   * Streams PUTs of Dataplanes at kuma-cp and SIGKILLs it mid-stream; after a restart on the same
   * store, every PUT that was answered 201 must be there, each with its full spec.
   */
  private void assertNoAcknowledgedWriteLost(Map<String, String> env) throws Exception {
    ControlPlane cp = ControlPlane.start(work.resolve("crash-1"), env);
    List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    Thread writer =
        Thread.ofPlatform()
            .name("writer")
            .start(
                () -> {
                  for (int i = 0; i < 10_000; i++) {
                    String name = "dp-" + i;
                    String body =
                        ("{\"type\":\"Dataplane\",\"mesh\":\"default\",\"name\":\"%s\",\"networking\":"
                                + "{\"address\":\"10.0.0.1\",\"inbound\":[{\"port\":%d,\"tags\":{\"kuma.io/service\":\"s%d\"}}]}}")
                            .formatted(name, 1000 + i % 50000, i);
                    try {
                      var resp =
                          client.send(
                              java.net.http.HttpRequest.newBuilder(
                                      java.net.URI.create(cp.apiUrl() + "/meshes/default/dataplanes/" + name))
                                  .header("Content-Type", "application/json")
                                  .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                  .build(),
                              java.net.http.HttpResponse.BodyHandlers.ofString());
                      if (resp.statusCode() == 201) {
                        acknowledged.add(name);
                      }
                    } catch (java.io.IOException e) {
                      return; // the control plane is gone
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                  }
                });
    await("some writes acknowledged").atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 150);
    cp.process().process().destroyForcibly().waitFor();
    writer.join(10_000);
    cp.close();
    List<String> acked = List.copyOf(acknowledged);

    try (ControlPlane again = ControlPlane.start(work.resolve("crash-2"), env)) {
      for (String name : acked) {
        Http.Response r = Http.get(again.apiUrl() + "/meshes/default/dataplanes/" + name);
        assertThat(r.status()).as("acknowledged %s after kill -9", name).isEqualTo(200);
        assertThat(r.body()).contains("\"kuma.io/service\":\"s" + name.substring(3) + "\"");
      }
      System.out.printf("%d acknowledged writes survived kill -9%n", acked.size());
    }
  }
}
