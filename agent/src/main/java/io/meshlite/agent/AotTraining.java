package io.meshlite.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.support.KeytoolCert;
import io.meshlite.agent.support.MiniHttp;
import io.meshlite.agent.support.Ticker;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.resource.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code kuma-dp aot-train}: one complete, real kuma-dp run used as the training run of the JDK AOT
 * cache (deps.md §4). scripts/build.sh launches it through the dist launcher with {@code
 * -XX:AOTCacheOutput=...}, so the cache sees the same JVM flags and classpath as production.
 *
 * <p>It serves a stub {@code /bootstrap} (with one application metrics endpoint) on loopback, runs
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
    HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    stub.createContext("/bootstrap", ex -> answer(ex, 200, "application/json", bootstrapResponse(admin, stub)));
    stub.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4", "training_app_up 1\n"));
    stub.createContext("/", ex -> answer(ex, 404, "text/plain", ""));
    stub.start();
    // The bootstrap goes over TLS as in production (kuma-cp's dataplane server speaks only TLS), so the cache
    // also holds JSSE; without keytool the training falls back to plain HTTP.
    KeytoolCert tls = selfSignedTls(work);
    HttpsServer tlsStub = null;
    String cpAddress = "http://127.0.0.1:" + stub.getAddress().getPort();
    List<String> caArgs = List.of();
    if (tls != null) {
      tlsStub = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      tlsStub.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
      tlsStub.createContext("/bootstrap", ex -> answer(ex, 200, "application/json", bootstrapResponse(admin, stub)));
      tlsStub.createContext("/", ex -> answer(ex, 404, "text/plain", ""));
      tlsStub.start();
      cpAddress = "https://127.0.0.1:" + tlsStub.getAddress().getPort();
      caArgs = List.of("--ca-cert-file", tls.pem().toString());
      // The plaintext path (MiniHttp) is otherwise only used for Envoy's admin and the metrics scrape.
      MiniHttp.exchange(new InetSocketAddress("127.0.0.1", stub.getAddress().getPort()), "127.0.0.1", "POST",
          "/bootstrap", Map.of("content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(5));
    }
    AtomicReference<Consumer<String>> signals = new AtomicReference<>();
    AtomicInteger exit = new AtomicInteger(-1);
    try {
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
    } finally {
      stub.stop(0);
      if (tlsStub != null) {
        tlsStub.stop(0);
      }
      try (var paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String bootstrapResponse(int adminPort, HttpServer stub) {
    String bootstrap = """
        node: {id: default.aot-training, cluster: training}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        """.formatted(adminPort);
    BootstrapResponse r = new BootstrapResponse(
        bootstrap.getBytes(StandardCharsets.UTF_8),
        new BootstrapResponse.KumaSidecarConfiguration(
            new BootstrapResponse.Networking("127.0.0.1"),
            new BootstrapResponse.Metrics(List.of(new BootstrapResponse.Aggregate(
                "app", "127.0.0.1", stub.getAddress().getPort(), "/metrics")))));
    try {
      return Json.mapper().writeValueAsString(r);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", type);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  private static String get(int port, String path) {
    try {
      return MiniHttp.exchange(new InetSocketAddress("127.0.0.1", port), "127.0.0.1", "GET", path, Map.of(),
          new byte[0], Duration.ofSeconds(2)).text();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A fresh self-signed EC certificate for 127.0.0.1 (as kuma-cp's) for the stub control plane, in
   * {@code work}; null (with a line on stderr) when keytool is missing or fails.
   */
  private KeytoolCert selfSignedTls(Path work) {
    try {
      return KeytoolCert.create(work, "aot-tls", "CN=127.0.0.1", "san=ip:127.0.0.1");
    } catch (IOException | GeneralSecurityException e) {
      err.println("aot-train: no TLS certificate (" + e.getMessage() + "), training with plain HTTP");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
