package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.cp.store.jdbc.PostgresFixture;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** P2 fault: Postgres stops under a running kuma-cp → 503 with a clear message; back → it recovers. */
class PostgresOutageIT {
  @RegisterExtension static final PostgresFixture PG = new PostgresFixture();

  @TempDir Path work;

  @Test
  void apiAnswers503WhileThePostgresIsDownAndRecoversByItself() throws Exception {
    String db = PG.createDatabase();
    Map<String, String> env =
        Map.of(
            "KUMA_STORE_TYPE", "postgres",
            "KUMA_STORE_POSTGRES_HOST", "127.0.0.1",
            "KUMA_STORE_POSTGRES_PORT", String.valueOf(PG.port()),
            "KUMA_STORE_POSTGRES_USER", "postgres",
            "KUMA_STORE_POSTGRES_PASSWORD", "s3cret-never-shown",
            "KUMA_STORE_POSTGRES_DB_NAME", db,
            "KUMA_STORE_POSTGRES_CONNECTION_TIMEOUT", "2");
    JavaProcess.Result migrated =
        JavaProcess.run("migrate", work, "io.meshlite.cp.CpMain", List.of("migrate", "up"), env);
    assertThat(migrated.exitCode()).as(migrated.output()).isZero();

    try (ControlPlane cp = ControlPlane.start(work, env)) {
      assertThat(Http.get(cp.apiUrl() + "/meshes/default").status()).isEqualTo(200);

      PG.stop();
      Http.Response down = Http.get(cp.apiUrl() + "/meshes/default");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.body())
          .contains("\"status\":503", "Service unavailable: ", "unavailable")
          .doesNotContain("s3cret-never-shown");

      PG.start();
      await("kuma-cp recovers once Postgres is back")
          .atMost(Duration.ofSeconds(30))
          .until(() -> Http.get(cp.apiUrl() + "/meshes/default").status() == 200);
      assertThat(cp.process().alive()).isTrue();
      assertThat(cp.process().output()).doesNotContain("s3cret-never-shown");
    }
  }
}
