package io.meshlite.iptables.system;

import io.meshlite.iptables.rules.IpFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One family's iptables executables ({@code iptables}, {@code -save}, {@code -restore}) and the
 * backend they drive: nf_tables or legacy, from {@code iptables --version}.
 */
final class Iptables {
  enum Mode {
    NFT("nft"),
    LEGACY("legacy");

    final String suffix;

    Mode(String suffix) {
      this.suffix = suffix;
    }
  }

  private final IpFamily family;
  private final Mode mode;
  private final Path save;
  private final Path restore;
  private final CommandRunner runner;
  private final int waitSeconds;
  private final int waitIntervalMicros;

  private Iptables(
      IpFamily family,
      Mode mode,
      Path save,
      Path restore,
      CommandRunner runner,
      int waitSeconds,
      int waitIntervalMicros) {
    this.family = family;
    this.mode = mode;
    this.save = save;
    this.restore = restore;
    this.runner = runner;
    this.waitSeconds = waitSeconds;
    this.waitIntervalMicros = waitIntervalMicros;
  }

  /**
   * Finds the executables of {@code family}; honours {@code overrides} ({@code iptables-save} →
   * path). Fails with a message naming what is missing and how to point at it.
   */
  static Iptables locate(
      IpFamily family,
      Map<String, String> overrides,
      Host host,
      int waitSeconds,
      int waitIntervalMicros) {
    String base = family.command();
    Path main = find(host, overrides, base, List.of(base, base + "-nft", base + "-legacy"));
    Mode mode = detectMode(host.runner(), main, base);
    List<String> saveNames = List.of(base + "-" + mode.suffix + "-save", base + "-save");
    List<String> restoreNames = List.of(base + "-" + mode.suffix + "-restore", base + "-restore");
    Path save = find(host, overrides, base + "-save", saveNames);
    Path restore = find(host, overrides, base + "-restore", restoreNames);
    return new Iptables(
        family, mode, save, restore, host.runner(), waitSeconds, waitIntervalMicros);
  }

  IpFamily family() {
    return family;
  }

  Mode mode() {
    return mode;
  }

  /** {@code iptables-save} output. */
  String save() {
    CommandRunner.Result result = run(List.of(save.toString()), null);
    if (!result.ok()) {
      throw failure(save, result);
    }
    return result.stdout();
  }

  /** Runs {@code iptables-restore} once; the caller decides about retries. */
  CommandRunner.Result restore(String rules, boolean noflush, boolean test) {
    List<String> argv = new ArrayList<>();
    argv.add(restore.toString());
    if (noflush) {
      argv.add("--noflush");
    }
    if (test) {
      argv.add("--test");
    }
    if (mode == Mode.LEGACY) {
      if (waitSeconds > 0) {
        argv.add("--wait=" + waitSeconds);
      }
      if (waitIntervalMicros > 0) {
        argv.add("--wait-interval=" + waitIntervalMicros);
      }
    }
    return run(argv, rules);
  }

  /** True if {@code iptables-restore --noflush --test} accepts {@code rules}. */
  boolean accepts(String rules) {
    return restore(rules, true, true).ok();
  }

  /** A user-facing failure for a command result, recognising missing privileges. */
  TransparentProxyException failure(Path program, CommandRunner.Result result) {
    String message = result.message();
    if (isPermissionProblem(message)) {
      return new TransparentProxyException(
          program.getFileName()
              + ": permission denied ("
              + message
              + "): run kuma-init as root or with CAP_NET_ADMIN");
    }
    return new TransparentProxyException(
        program.getFileName() + " failed (exit " + result.exitCode() + "): " + message);
  }

  Path restorePath() {
    return restore;
  }

  static boolean isPermissionProblem(String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    return lower.contains("permission denied")
        || lower.contains("operation not permitted")
        || lower.contains("must be root");
  }

  private CommandRunner.Result run(List<String> argv, String stdin) {
    try {
      return runner.run(argv, stdin);
    } catch (IOException e) {
      throw new TransparentProxyException(
          "cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
    }
  }

  private static Path find(
      Host host, Map<String, String> overrides, String key, List<String> names) {
    String override = overrides.get(key);
    if (override != null) {
      return host.executables()
          .find(override)
          .orElseThrow(
              () ->
                  new TransparentProxyException(
                      "--iptables-executables: "
                          + key
                          + ":"
                          + override
                          + " is not an executable file: fix the path"));
    }
    for (String name : names) {
      Optional<Path> path = host.executables().find(name);
      if (path.isPresent()) {
        return path.get();
      }
    }
    throw new TransparentProxyException(
        key
            + " not found (searched "
            + String.join(", ", names)
            + " in PATH and /usr/sbin, /sbin, /usr/bin, /bin): install iptables (e.g."
            + " apt-get install iptables) or pass --iptables-executables "
            + key
            + ":/path/to/"
            + key);
  }

  private static Mode detectMode(CommandRunner runner, Path main, String base) {
    CommandRunner.Result result;
    try {
      result = runner.run(List.of(main.toString(), "--version"), null);
    } catch (IOException e) {
      throw new TransparentProxyException("cannot run " + main + " --version: " + e.getMessage());
    }
    if (!result.ok()) {
      throw new TransparentProxyException(
          base + " --version failed (" + result.message() + "): check the iptables installation");
    }
    String version = result.stdout() + result.stderr();
    if (version.contains("nf_tables")) {
      return Mode.NFT;
    }
    return Mode.LEGACY; // "(legacy)", or old releases that print no backend at all
  }
}
