package io.meshlite.kumactl;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What kumactl takes from its surroundings, so tests can run it in-process: standard input (for
 * {@code apply -f -}), the clock (AGE columns) and the default configuration file (Kuma's {@code
 * ~/.kumactl/config}).
 *
 * @param stdin standard input
 * @param clock the clock ages are measured with
 * @param defaultConfigFile the file used when {@code --config-file} is not given
 */
public record Env(InputStream stdin, Clock clock, Path defaultConfigFile) {
  public Env {
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(defaultConfigFile, "defaultConfigFile");
  }

  /** The real process: {@code System.in}, the system clock, {@code $HOME/.kumactl/config}. */
  public static Env system() {
    String home = System.getenv("HOME");
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home");
    }
    return new Env(System.in, Clock.systemDefaultZone(), Path.of(home, ".kumactl", "config"));
  }

  /** An environment whose home directory is {@code home}, with empty stdin and the system clock. */
  public static Env home(Path home) {
    return new Env(
        new ByteArrayInputStream(new byte[0]), Clock.systemDefaultZone(), home.resolve(".kumactl").resolve("config"));
  }

  public Env withStdin(InputStream in) {
    return new Env(in, clock, defaultConfigFile);
  }

  public Env withClock(Clock c) {
    return new Env(stdin, c, defaultConfigFile);
  }
}
