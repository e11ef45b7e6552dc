package io.meshlite.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Envoy started directly from a bootstrap file, without kuma-dp (to present the control
 * plane with exactly the credentials a test wants). Its output goes to {@code <name>.log}.
 */
public final class RawEnvoy implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final EnvoyAdmin admin;

  private RawEnvoy(Process process, Path log, EnvoyAdmin admin) {
    this.process = process;
    this.log = log;
    this.admin = admin;
  }

  /** Starts Envoy with {@code bootstrapJson}; its admin port must be {@code adminPort}. */
  public static RawEnvoy start(Path dir, String name, String bootstrapJson, int adminPort) {
    try {
      Path bootstrap = Files.writeString(dir.resolve(name + ".bootstrap.json"), bootstrapJson);
      Path log = dir.resolve(name + ".envoy.log");
      Process p =
          new ProcessBuilder(
                  List.of(
                      EnvoyBinary.require().toString(), "--config-path", bootstrap.toString(), "--disable-hot-restart",
                      "--concurrency", "1", "--log-level", "info"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new RawEnvoy(p, log, new EnvoyAdmin(adminPort));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public EnvoyAdmin admin() {
    return admin;
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
