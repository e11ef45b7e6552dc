package io.meshlite.agent;

import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.support.MiniHttp;
import io.meshlite.agent.support.Ticker;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code kuma-dp aot-train}: one complete, real kuma-dp run used as the training run of the JDK AOT
 * cache (deps.md §4). scripts/build.sh launches it through the dist launcher with {@code
 * -XX:AOTCacheOutput=...}, so the cache sees the same JVM flags and classpath as production.
 *
 * <p>A stub control plane ({@link AotTrainingStub}, in a JVM of its own so that its server classes
 * stay out of the cache) serves {@code /bootstrap} (with one application metrics endpoint) on loopback; this runs
 * {@code kuma-dp run} with a templated {@code --dataplane} against it and the real Envoy, waits
 * until {@code /ready} says READY, scrapes the merged metrics once, then sends TERM twice (drain,
 * stop) and returns kuma-dp's exit code. Everything is on free loopback ports in a temporary work
 * directory, so it runs on a build machine beside anything else.
 */
final class AotTraining {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path envoy;
  private final PrintStream err;

  AotTraining(Path envoy, PrintStream err) {
    this.envoy = envoy;
    this.err = err;
  }

  int run() throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("kuma-dp-aot-");
    int admin = freePort();
    int readiness = freePort();
    int metrics = freePort();
    Path stubLog = work.resolve("stub.log");
    Process stub = startStub(work, admin, stubLog);
    try {
      Map<String, String> ports = stubPorts(stub, stubLog);
      int plainPort = Integer.parseInt(ports.get("plain"));
      // The bootstrap goes over TLS as in production (kuma-cp's dataplane server speaks only TLS), so the cache
      // also holds JSSE's client side; without keytool the stub serves plain HTTP only.
      String cpAddress = "http://127.0.0.1:" + plainPort;
      List<String> caArgs = List.of();
      if (!"0".equals(ports.get("tls"))) {
        cpAddress = "https://127.0.0.1:" + ports.get("tls");
        caArgs = List.of("--ca-cert-file", ports.get("pem"));
        // The plaintext path (MiniHttp) is otherwise only used for Envoy's admin and the metrics scrape.
        MiniHttp.exchange(new InetSocketAddress("127.0.0.1", plainPort), "127.0.0.1", "POST", "/bootstrap",
            Map.of("content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
      } else {
        err.print(Files.readString(stubLog));
      }
      return train(work, cpAddress, caArgs, readiness, metrics);
    } finally {
      stub.getOutputStream().close(); // the stub serves until its standard input closes
      if (!stub.waitFor(10, TimeUnit.SECONDS)) {
        stub.destroyForcibly();
      }
      try (var paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@link AotTrainingStub} in a JVM of its own (this one's java and class path, none of its flags). */
  private static Process startStub(Path work, int admin, Path log) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), AotTrainingStub.class.getName(), work.toString(),
        Integer.toString(admin));
    // The AOT cache's creation passes its flags to JVMs it starts through these; the stub must not get them.
    pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
    return pb.redirectError(Redirect.to(log.toFile())).start();
  }

  /** The stub's one line: {@code plain=<port> tls=<port> pem=<file>}. */
  private static Map<String, String> stubPorts(Process stub, Path log) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(stub.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("plain=")) {
      throw new IOException("the training's stub control plane did not start: " + Files.readString(log).strip());
    }
    Map<String, String> fields = new HashMap<>();
    for (String f : line.split(" ")) {
      int eq = f.indexOf('=');
      fields.put(f.substring(0, eq), f.substring(eq + 1));
    }
    return fields;
  }

  private int train(Path work, String cpAddress, List<String> caArgs, int readiness, int metrics)
      throws InterruptedException {
    AtomicReference<Consumer<String>> signals = new AtomicReference<>();
    AtomicInteger exit = new AtomicInteger(-1);
    AgentEnvironment host = new AgentEnvironment(
        Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
        new ByteArrayInputStream(new byte[0]),
        System.out,
        err,
        new OsProcessLauncher(Redirect.DISCARD, Redirect.DISCARD),
        signals::set,
        Ticker.system(),
        work,
        null,
        Path.of("/sys/fs/cgroup"),
        code -> {});
    List<String> args = new ArrayList<>(List.of(
        "run",
        "--cp-address", cpAddress,
        "--dataplane", """
            type: Dataplane
            mesh: "{{ mesh }}"
            name: "{{ name }}"
            networking:
              address: 127.0.0.1
              inbound: [{port: 1, tags: {kuma.io/service: training}}]
            """,
        "--dataplane-var", "mesh=default",
        "--dataplane-var", "name=aot-training",
        "--binary-path", envoy.toString(),
        "--work-dir", work.toString(),
        "--readiness-port", Integer.toString(readiness),
        "--metrics-port", Integer.toString(metrics),
        "--drain-time", "1s",
        "--concurrency", "1",
        "--envoy-log-level", "off"));
    args.addAll(caArgs);
    Thread agent = Thread.ofPlatform().name("kuma-dp-training").start(() -> exit.set(new AgentMain(host).execute(
        args.toArray(String[]::new))));
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    boolean ready = false;
    while (!ready && agent.isAlive() && System.nanoTime() < deadline) {
      ready = get(readiness, "/ready").strip().equals("READY");
      if (!ready) {
        Thread.sleep(20);
      }
    }
    if (ready) {
      get(metrics, "/metrics");
    } else {
      err.println("aot-train: kuma-dp did not become ready within " + READY_TIMEOUT.toSeconds() + "s");
    }
    for (int i = 0; i < 2 && agent.isAlive(); i++) {
      Consumer<String> s = signals.get();
      if (s != null) {
        s.accept("TERM");
      }
      agent.join(Duration.ofSeconds(10));
    }
    agent.join(Duration.ofSeconds(10));
    return ready ? exit.get() : 1;
  }

  private static String get(int port, String path) {
    try {
      return MiniHttp.exchange(new InetSocketAddress("127.0.0.1", port), "127.0.0.1", "GET", path, Map.of(),
          new byte[0], Duration.ofSeconds(2)).text();
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
