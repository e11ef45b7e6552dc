package io.meshlite.iptables.system;

import java.io.InputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The host as kuma-init sees it; every side effect goes through here so tests can replace it
 * (a fake runner, a network-namespace runner, temp files, a sleeper that does not sleep).
 *
 * @param runner runs iptables, ip6tables and ip
 * @param executables finds those programs
 * @param users user database and effective UID
 * @param netAdmin whether this process has CAP_NET_ADMIN (checked when not running as root)
 * @param env environment variables ({@code KUMA_TRANSPARENT_PROXY_*})
 * @param stdin read by {@code --config -}
 * @param sleeper waits between retries
 * @param resolvConf resolv.conf whose {@code .kuma-backup} uninstall puts back
 */
public record Host(
    CommandRunner runner,
    ExecutableLocator executables,
    UserLookup users,
    BooleanSupplier netAdmin,
    Map<String, String> env,
    InputStream stdin,
    Sleeper sleeper,
    Path resolvConf) {

  public Host {
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(executables, "executables");
    Objects.requireNonNull(users, "users");
    Objects.requireNonNull(netAdmin, "netAdmin");
    env = Map.copyOf(env);
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(resolvConf, "resolvConf");
  }

  /** The real machine this process runs on. */
  public static Host system() {
    return new Host(
        new ProcessCommandRunner(Duration.ofMinutes(2)),
        new ExecutableLocator(System.getenv("PATH")),
        new PosixUserLookup(),
        Host::effectiveNetAdmin,
        System.getenv(),
        System.in,
        duration -> Thread.sleep(duration),
        Path.of("/etc/resolv.conf"));
  }

  /** A copy with another runner. */
  public Host withRunner(CommandRunner other) {
    return new Host(other, executables, users, netAdmin, env, stdin, sleeper, resolvConf);
  }

  /** A copy with other environment variables. */
  public Host withEnv(Map<String, String> other) {
    return new Host(runner, executables, users, netAdmin, other, stdin, sleeper, resolvConf);
  }

  /** Waits between retries; tests pass one that records instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final int CAP_NET_ADMIN = 12;

  private static boolean effectiveNetAdmin() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
          return (caps & (1L << CAP_NET_ADMIN)) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }
}
