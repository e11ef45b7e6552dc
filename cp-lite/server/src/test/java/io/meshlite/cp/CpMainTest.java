package io.meshlite.cp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line, without starting servers. */
class CpMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return CpMain.execute(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void versionPrintsOurVersion() {
    assertThat(run(Map.of(), "version")).isZero();
    assertThat(out()).isEqualTo("Kuma: 0.1.0\n");
  }

  @Test
  void detailedVersionNamesTheKumaRelease() {
    assertThat(run(Map.of(), "version", "--detailed")).isZero();
    assertThat(out()).contains("Product: Kuma\n").contains("Based on Kuma: 2.14.3\n");
  }

  @Test
  void migrateUpIsANoOpForTheMemoryStore() {
    assertThat(run(Map.of("HOME", "/tmp"), "migrate", "up")).isZero();
    assertThat(out()).isEqualTo("memory store: nothing to migrate\n");
  }

  @Test
  void unreachablePostgresStopsWithOneLine() {
    assertThat(
            run(
                Map.of(
                    "KUMA_STORE_TYPE", "postgres",
                    "KUMA_STORE_POSTGRES_PORT", "1",
                    "KUMA_STORE_POSTGRES_CONNECTION_TIMEOUT", "1"),
                "migrate",
                "up"))
        .isEqualTo(1);
    assertThat(err()).startsWith("kuma-cp: ").contains("unavailable").doesNotContain("kuma@");
    assertThat(err().lines().count()).isEqualTo(1);
  }

  @Test
  void kubernetesStoreHasNothingToMigrate() {
    assertThat(run(Map.of("KUMA_STORE_TYPE", "kubernetes"), "migrate", "up")).isEqualTo(0);
    assertThat(out()).isEqualTo("kubernetes store: nothing to migrate\n");
  }

  @Test
  void kubernetesModeWithoutAClusterStopsWithOneLine() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("KUBECONFIG") == null
            && System.getenv("KUBERNETES_SERVICE_HOST") == null
            && !java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".kube", "config")),
        "a cluster is configured for this process");
    assertThat(run(Map.of("KUMA_ENVIRONMENT", "kubernetes", "HOME", "/nonexistent"), "run")).isEqualTo(1);
    assertThat(err()).startsWith("kuma-cp: ").contains("needs a Kubernetes API server").contains("KUBECONFIG");
    assertThat(err().lines().count()).isEqualTo(1);
  }

  @Test
  void serviceAccountTokensWithoutTheKubernetesStoreStopWithOneLine() {
    assertThat(run(Map.of("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "serviceAccountToken", "HOME", "/nonexistent"), "run"))
        .isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "kuma-cp: dpServer.authn.dpProxy.type (KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE)=\"serviceAccountToken\" needs the"
                + " Kubernetes store (KUMA_ENVIRONMENT=kubernetes or KUMA_STORE_TYPE=kubernetes) (expected here: dpToken, none)\n");
  }

  @Test
  void runWithAnInvalidValueStopsWithOneLine() {
    assertThat(run(Map.of("KUMA_DP_SERVER_PORT", "http"), "run")).isEqualTo(1);
    assertThat(err()).isEqualTo("kuma-cp: KUMA_DP_SERVER_PORT=\"http\" is not valid (expected: a port number from 0 to 65535)\n");
  }

  @Test
  void runWithAMissingConfigFileStopsWithOneLine() {
    assertThat(run(Map.of(), "run", "-c", "/nonexistent/kuma-cp.yaml")).isEqualTo(1);
    assertThat(err()).startsWith("kuma-cp: config file /nonexistent/kuma-cp.yaml does not exist").endsWith(")\n");
    assertThat(err().lines().count()).isEqualTo(1);
  }

  @Test
  void unknownCommandOrFlagIsAUsageError() {
    assertThat(run(Map.of(), "serve")).isEqualTo(2);
    assertThat(err()).startsWith("kuma-cp: ").contains("serve").endsWith("(see kuma-cp --help)\n");
    assertThat(err().lines().count()).isEqualTo(1);
  }

  @Test
  void invalidLogLevelIsRejected() {
    assertThat(run(Map.of(), "run", "--log-level", "trace")).isEqualTo(1);
    assertThat(err()).isEqualTo("kuma-cp: --log-level: \"trace\" is not valid (expected: one of off, info, debug)\n");
  }
}
