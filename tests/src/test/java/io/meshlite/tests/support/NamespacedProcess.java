package io.meshlite.tests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process started inside a {@link NetworkNamespace}, with its output in a log file.
 * Closing it sends SIGTERM, waits, then kills what is left of its process tree.
 */
public final class NamespacedProcess implements AutoCloseable {
  private final String label;
  private final Process process;
  private final Path log;

  NamespacedProcess(String label, Process process, Path log) {
    this.label = label;
    this.process = process;
    this.log = log;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Process process() {
    return process;
  }

  /** The log so far, for assertion messages. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  /** A descendant process whose command is {@code executable} (an agent's Envoy), if running. */
  public Optional<ProcessHandle> descendant(String executable) {
    return process
        .descendants()
        .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(executable)).orElse(false))
        .findFirst();
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
    return label + " (pid " + process.pid() + ", log " + log + ")";
  }
}
