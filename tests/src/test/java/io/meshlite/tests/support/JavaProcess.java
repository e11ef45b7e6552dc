package io.meshlite.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of our binaries run as a real child process: a JVM with the test classpath and the binary's
 * main class, its output in a log file. Closing it sends SIGTERM, waits, then kills what is left of
 * its process tree (an agent's Envoy included), so no test leaves orphans.
 */
public final class JavaProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private JavaProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code mainClass args...} with extra environment variables.
   *
   * @param logDir where {@code <name>.log} is written
   */
  public static JavaProcess start(
      String name, Path logDir, String mainClass, List<String> args, Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new JavaProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a short-lived command to completion and returns its exit code and output. */
  public static Result run(
      String name, Path logDir, String mainClass, List<String> args, Map<String, String> env) {
    JavaProcess p = start(name, logDir, mainClass, args, env);
    try {
      if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
        p.close();
        throw new AssertionError(name + " did not finish within 60 s; see " + p.log);
      }
      return new Result(p.process.exitValue(), Files.readString(p.log));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(p.log);
      } catch (IOException ignored) {
        // best effort: the log of a finished command is returned, not kept
      }
    }
  }

  /** Exit code and combined output of a finished command. */
  public record Result(int exitCode, String output) {}

  public Process process() {
    return process;
  }

  public Path log() {
    return log;
  }

  /** The log so far, for assertion messages. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Sends SIGTERM and waits up to {@code timeout} for the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout + " after SIGTERM; see " + log);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tree.addAll(process.descendants().toList());
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
