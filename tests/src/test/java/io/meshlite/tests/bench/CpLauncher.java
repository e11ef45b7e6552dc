package io.meshlite.tests.bench;

import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a kuma-cp (memory store, free loopback ports) the way users run it: either the built
 * {@code dist/bin/kuma-cp} launcher, or {@code io.meshlite.cp.CpMain} on this JVM's classpath with
 * the same JVM flags the launcher passes (plus any extra ones). Closing it stops the process.
 */
final class CpLauncher implements AutoCloseable {
  private final Process process;
  private final CpTarget target;
  private final Path log;

  private CpLauncher(Process process, CpTarget target, Path log) {
    this.process = process;
    this.target = target;
    this.log = log;
  }

  /**
   * @param dist the {@code dist/} folder to run {@code bin/kuma-cp} from, or null for the classpath
   * @param jvmOpts extra JVM flags (JAVA_OPTS for the launcher)
   * @param workDir where the log and kuma-cp's work dir go
   * @param env extra {@code KUMA_*} settings
   */
  static CpLauncher start(Path dist, List<String> jvmOpts, Path workDir, Map<String, String> env) {
    int api = Ports.free();
    int dp = Ports.free();
    int diag = Ports.free();
    List<String> cmd = new ArrayList<>();
    String flags;
    if (dist != null) {
      cmd.add(dist.resolve("bin/kuma-cp").toString());
      flags = "dist/bin/kuma-cp launcher defaults" + (jvmOpts.isEmpty() ? "" : " + JAVA_OPTS=" + String.join(" ", jvmOpts));
    } else {
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // The flags dist/bin/kuma-cp passes: scripts/lib/launcher.sh's common ones, then kuma-cp's own.
      List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
      if (Runtime.version().feature() >= 23) {
        jvm.add("--sun-misc-unsafe-memory-access=allow");
      }
      jvm.addAll(launcherFlags());
      jvm.addAll(jvmOpts);
      cmd.addAll(jvm);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.meshlite.cp.CpMain");
      flags = String.join(" ", jvm);
    }
    cmd.add("run");
    try {
      Files.createDirectories(workDir);
      Path log = workDir.resolve("kuma-cp.log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("KUMA_API_SERVER_HTTP_PORT", Integer.toString(api));
      pb.environment().put("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
      pb.environment().put("KUMA_DP_SERVER_PORT", Integer.toString(dp));
      pb.environment().put("KUMA_DIAGNOSTICS_SERVER_PORT", Integer.toString(diag));
      pb.environment().put("KUMA_GENERAL_WORK_DIR", workDir.resolve("kuma-cp").toString());
      pb.environment().put("KUMA_STORE_TYPE", "memory");
      // The simulated proxies carry no dataplane tokens (the harness has a per-stream token hook).
      pb.environment().put("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none");
      if (dist != null && !jvmOpts.isEmpty()) {
        pb.environment().put("JAVA_OPTS", String.join(" ", jvmOpts));
      }
      pb.environment().putAll(env);
      Process p = pb.start();
      CpTarget target =
          new CpTarget(
              "http://127.0.0.1:" + api, "127.0.0.1", dp, "http://127.0.0.1:" + diag, javaPid(p), flags);
      CpLauncher launcher = new CpLauncher(p, target, log);
      launcher.awaitReady();
      return launcher;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * kuma-cp's own JVM flags, read from the {@code kuma_cp_flags="..."} line of {@code
   * scripts/build.sh} (run from the repository root, as {@code scripts/bench-xds.sh} does), so the
   * classpath mode measures what the launcher runs. Empty if the file or line is missing.
   */
  static List<String> launcherFlags() {
    Path build = Path.of("scripts", "build.sh");
    if (!Files.isRegularFile(build)) {
      return List.of();
    }
    try {
      for (String line : Files.readAllLines(build)) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^kuma_cp_flags=\"(.*)\"\\s*$").matcher(line);
        if (m.matches()) {
          return m.group(1).isBlank() ? List.of() : List.of(m.group(1).trim().split("\\s+"));
        }
      }
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The launcher script execs java, so its pid is the JVM's. */
  private static long javaPid(Process p) {
    return p.pid();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kuma-cp exited with " + process.exitValue() + "; see " + log);
      }
      if (Http.get(target.diagnosticsUrl() + "/ready").status() == 200) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    close();
    throw new IllegalStateException("kuma-cp not ready within 60 s; see " + log);
  }

  CpTarget target() {
    return target;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
