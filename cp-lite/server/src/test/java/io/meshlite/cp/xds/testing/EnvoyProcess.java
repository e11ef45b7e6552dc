package io.meshlite.cp.xds.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real Envoy started from a bootstrap file, with its admin API on 127.0.0.1. */
public final class EnvoyProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int adminPort;
  private final Path log;

  private EnvoyProcess(Process process, int adminPort, Path log) {
    this.process = process;
    this.adminPort = adminPort;
    this.log = log;
  }

  /**
   * The Envoy binary: {@code $ENVOY_BINARY}, else {@code <repo>/dist/bin/envoy}, else {@code envoy}
   * on the PATH. Fails (never skips) when none exists.
   */
  public static Path binary() {
    String env = System.getenv("ENVOY_BINARY");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("cp-lite")) && Files.exists(dir.resolve("pom.xml"))) {
        Path dist = dir.resolve("dist/bin/envoy");
        if (Files.isExecutable(dist)) {
          return dist;
        }
        break;
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String p : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(p, "envoy");
      if (!p.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail("no Envoy binary found (ENVOY_BINARY, <repo>/dist/bin/envoy, PATH): run envoy/install.sh");
  }

  /** Starts Envoy with the bootstrap in {@code bootstrap}; its output goes to a log beside it. */
  public static EnvoyProcess start(Path bootstrap, int adminPort) {
    Path log = bootstrap.resolveSibling(bootstrap.getFileName() + ".log");
    List<String> cmd =
        List.of(
            binary().toString(),
            "--config-path", bootstrap.toString(),
            "--disable-hot-restart",
            "--concurrency", "1",
            "-l", "warning");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new EnvoyProcess(p, adminPort, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET on the admin API; returns the status and body, or status -1 when it does not answer. */
  public HttpResponse<String> admin(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Envoy admin on port " + adminPort + " did not answer; log:\n" + log(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** True once Envoy answers {@code /ready} with 200 (initial xDS received). */
  public boolean ready() {
    if (!process.isAlive()) {
      fail("Envoy exited with " + process.exitValue() + "; log:\n" + log());
    }
    try {
      return admin("/ready").statusCode() == 200;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /** Value of a counter or gauge from {@code /stats}, 0 when absent. */
  public long stat(String name) {
    for (String line : admin("/stats?filter=" + URLEncoder.encode("^" + name.replace(".", "\\.") + "$", StandardCharsets.UTF_8)).body().split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).trim());
      }
    }
    return 0;
  }

  /** Healthy hosts of a cluster, as {@code /clusters} lists them. */
  public List<String> healthyHosts(String cluster) {
    String prefix = cluster + "::";
    return admin("/clusters").body().lines()
        .filter(l -> l.startsWith(prefix) && l.endsWith("::health_flags::healthy"))
        .map(l -> l.substring(prefix.length(), l.indexOf("::", prefix.length())))
        .distinct()
        .sorted()
        .toList();
  }

  /** The process id of this Envoy. */
  public long pid() {
    return process.pid();
  }

  /** The Envoy log so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
