package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.tests.support.RepoRoot;
import io.meshlite.tests.support.TestDist;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * P10: the demo cluster's provisioning, end to end. {@code scripts/demo-cluster.sh up} creates three "VMs"
 * as network namespaces on a bridge (cp 10.211.0.10, web .11, backend .12; own addresses and iptables)
 * and runs exactly the provisioning scripts the Vagrantfile runs (scripts/provision/common.sh,
 * control-plane.sh, service-host.sh) in them, with a dist assembled from this build ({@link TestDist}):
 * kuma-cp on a real PostgreSQL, the mesh with builtin-CA mTLS, tokens, kuma-init with DNS redirection,
 * kuma-dp as uid 5678 with real Envoy. The test then checks, from inside the namespaces:
 *
 * <ol>
 *   <li>traffic by {@code *.mesh} name across hosts, both ways;
 *   <li>mTLS: TLS handshakes on both Envoys of the hop, and a plaintext client outside the mesh refused;
 *   <li>a MeshTrafficPermission denying backend → web while web → backend keeps working;
 *   <li>a kuma-cp restart in the middle: the resources are still there (PostgreSQL), the denial still holds,
 *       traffic still flows, and a change made after the restart reaches the proxies.
 * </ol>
 */
class DemoClusterIT {
  private static final String WEB = "10.211.0.11";
  private static final String BACKEND = "10.211.0.12";
  private static final Duration PROPAGATION = Duration.ofSeconds(30);
  private static final Pattern STAT = Pattern.compile("^[^:]+: *(\\d+)$", Pattern.MULTILINE);

  private Path work;
  private Path cluster;
  private String prefix;

  @BeforeEach
  void setUp() throws IOException {
    prefix = "ml-dc-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(2));
    // The services run as kuma, kuma-dp, postgres and nobody: every directory on the way must be reachable.
    // Short paths: kuma-dp's Unix sockets live under the hosts' work dirs (sun_path: 107 bytes).
    work = Files.createDirectory(Path.of("/tmp", prefix),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    cluster = work.resolve("c");
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      keepLogs();
      if (Files.exists(cluster.resolve("cluster.env"))) {
        Result down = run(Duration.ofSeconds(120), "bash", script("scripts/demo-cluster.sh"), "down", "--work", cluster.toString());
        assertThat(down.exitCode()).as("demo-cluster.sh down: " + down.output()).isZero();
      }
      for (String host : List.of("cp", "web", "backend", "net")) {
        assertThat(run(Duration.ofSeconds(10), "ip", "netns", "list").output()).doesNotContain(prefix + "-" + host);
      }
    } finally {
      deleteTree(work);
    }
  }

  @Test
  void servicesTalkByMeshNameOverMtlsAcrossHostsWithAOneWayDenyAndSurviveAControlPlaneRestart() throws Exception {
    Path dist = TestDist.assemble(work.resolve("dist"));
    Result up = run(Duration.ofMinutes(4), "bash", script("scripts/demo-cluster.sh"), "up",
        "--dist", dist.toString(), "--prefix", prefix, "--work", cluster.toString());
    assertThat(up.exitCode()).as("demo-cluster.sh up:\n" + up.output()).isZero();

    // 1. By name, across hosts, both ways (the echo service answers with the request it got).
    await("web -> backend.mesh").atMost(PROPAGATION).untilAsserted(() -> assertReaches("web", "backend"));
    await("backend -> web.mesh").atMost(PROPAGATION).untilAsserted(() -> assertReaches("backend", "web"));
    assertThat(in("cp", "kumactl", "get", "dataplanes").output()).contains("web", "backend", WEB, BACKEND);

    // 2. mTLS on the hop between the hosts; a plaintext client that is not in the mesh is refused.
    assertThat(stat("web", "cluster.backend.ssl.handshake")).isPositive();
    assertThat(stat("backend", "listener." + BACKEND + "_8080.ssl.handshake")).isPositive();
    assertThat(stat("web", "cluster.backend.upstream_cx_total")).isPositive();
    Result plaintext = in("cp", "curl", "-sS", "--http0.9", "--max-time", "5", "http://" + BACKEND + ":8080/");
    assertThat(plaintext.output()).as("a plaintext request from outside the mesh").doesNotContain("Host: " + BACKEND);

    // 3. Deny backend -> web; web -> backend keeps working.
    Path deny = Files.writeString(cluster.resolve("deny-backend-to-web.yaml"), """
        type: MeshTrafficPermission
        mesh: default
        name: deny-backend-to-web
        spec:
          targetRef: {kind: MeshService, name: web}
          from:
          - targetRef: {kind: MeshService, name: backend}
            default: {action: Deny}
        """);
    assertOk(in("cp", "kumactl", "apply", "-f", deny.toString()));
    await("backend -> web denied").atMost(PROPAGATION).until(() -> !reaches("backend", "web"));
    assertReaches("web", "backend");
    long denials = stat("web", "inbound_" + WEB.replace('.', '_') + "_8080.rbac.denied");
    assertThat(denials).isPositive();

    // 4. Restart kuma-cp (service.sh, as systemctl restart would): no state lost.
    String pidBefore = cpPid();
    Result restart = in("cp", "service", "restart", "kuma-cp");
    assertThat(restart.exitCode()).as("service.sh restart kuma-cp: " + restart.output()).isZero();
    assertThat(cpPid()).isNotEqualTo(pidBefore);
    await("kuma-cp ready again").atMost(Duration.ofSeconds(90))
        .until(() -> in("cp", "curl", "-fsS", "--max-time", "2", "http://127.0.0.1:5680/ready").exitCode() == 0);
    assertThat(in("cp", "kumactl", "get", "meshtrafficpermissions", "--mesh", "default").output())
        .contains("allow-all", "deny-backend-to-web");
    assertThat(in("cp", "kumactl", "get", "mesh", "default", "-o", "yaml").output())
        .contains("enabledBackend: ca-1");
    // kuma-dp reconnects with a backoff: wait until both Envoys hold an xDS stream to the new kuma-cp.
    await("both proxies back on the restarted kuma-cp").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(stat("web", "control_plane.connected_state")).as("web's Envoy connected").isEqualTo(1);
      assertThat(stat("backend", "control_plane.connected_state")).as("backend's Envoy connected").isEqualTo(1);
    });
    assertReaches("web", "backend");
    assertThat(reaches("backend", "web")).as("backend -> web still denied after the restart").isFalse();
    assertThat(stat("web", "inbound_" + WEB.replace('.', '_') + "_8080.rbac.denied")).isGreaterThan(denials);

    // A change after the restart reaches the proxies: the restarted kuma-cp serves them.
    assertOk(in("cp", "kumactl", "delete", "meshtrafficpermission", "deny-backend-to-web", "--mesh", "default"));
    await("backend -> web allowed again").atMost(PROPAGATION).untilAsserted(() -> assertReaches("backend", "web"));
    assertReaches("web", "backend");
  }

  // ------------------------------------------------------------------ helpers

  private void assertReaches(String from, String service) {
    Result r = call(from, service);
    assertThat(r.output()).as("curl http://%s.mesh/ from %s (exit %d)", service, from, r.exitCode())
        .contains("GET / HTTP/1.1", "Host: " + service + ".mesh");
  }

  private boolean reaches(String from, String service) {
    return call(from, service).output().contains("Host: " + service + ".mesh");
  }

  private Result call(String from, String service) {
    return netns(from, "curl", "-sS", "--http0.9", "--max-time", "5", "http://" + service + ".mesh/");
  }

  /** One counter of HOST's Envoy (admin on the namespace's 127.0.0.1:9901); 0 when Envoy has none. */
  private long stat(String host, String name) {
    Result r = netns(host, "curl", "-fsS", "--max-time", "5", "--get", "--data-urlencode",
        "filter=^" + name.replace(".", "\\.") + "$", "http://127.0.0.1:9901/stats");
    assertThat(r.exitCode()).as("Envoy stats on " + host + ": " + r.output()).isZero();
    Matcher m = STAT.matcher(r.output());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private String cpPid() throws IOException {
    return Files.readString(cluster.resolve("hosts/cp/run/meshlite/kuma-cp.pid")).strip();
  }

  /**
   * Runs a tool of the cluster on HOST with HOST's provisioning variables: "kumactl" (the installed one,
   * without a config file), "service" (scripts/provision/service.sh), or any command.
   */
  private Result in(String host, String... argv) {
    List<String> cmd = new ArrayList<>(List.of("env",
        "MESHLITE_INIT=direct",
        "MESHLITE_HOST_ROOT=" + cluster.resolve("hosts/" + host),
        "KUMA_HOME=" + cluster.resolve("opt/kuma"),
        "MESHLITE_SHARED=" + cluster.resolve("shared")));
    switch (argv[0]) {
      case "kumactl" -> cmd.addAll(List.of(cluster.resolve("opt/kuma/bin/kumactl").toString(), "--no-config"));
      case "service" -> cmd.addAll(List.of("bash", script("scripts/provision/service.sh")));
      default -> cmd.add(argv[0]);
    }
    cmd.addAll(List.of(argv).subList(1, argv.length));
    return netns(host, cmd.toArray(String[]::new));
  }

  private Result netns(String host, String... argv) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "-" + host));
    cmd.addAll(List.of(argv));
    return run(Duration.ofSeconds(90), cmd.toArray(String[]::new));
  }

  private static void assertOk(Result r) {
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private static String script(String path) {
    return RepoRoot.get().resolve(path).toString();
  }

  private record Result(int exitCode, String output) {}

  private Result run(Duration timeout, String... argv) {
    try {
      Path out = Files.createTempFile("dc-it", ".out");
      try {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The dist's launchers use the JDK that runs the tests.
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(String.join(" ", argv) + " did not finish within " + timeout + ":\n" + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Copies the services' and the provisioning logs to target/e2e-logs/DemoClusterIT/ for diagnosis. */
  private void keepLogs() throws IOException {
    Path target = Path.of("target", "e2e-logs", getClass().getSimpleName());
    deleteTree(target);
    Files.createDirectories(target);
    if (!Files.isDirectory(cluster)) {
      return;
    }
    try (Stream<Path> files = Files.walk(cluster)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".log")).toList()) {
        String name = cluster.relativize(f).toString().replace("/var/log/meshlite/", "-").replace('/', '-');
        Files.copy(f, target.resolve(name));
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
