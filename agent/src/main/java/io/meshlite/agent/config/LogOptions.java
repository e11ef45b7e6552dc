package io.meshlite.agent.config;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** kuma-dp's root logging flags (no environment variables, as in Kuma). */
public final class LogOptions {
  @Option(
      names = "--log-level",
      scope = ScopeType.INHERIT,
      paramLabel = "LEVEL",
      description = "kuma-dp log level: off, error, info or debug (default: info)")
  String level;

  @Option(
      names = "--log-output-path",
      scope = ScopeType.INHERIT,
      paramLabel = "PATH",
      description = "Write the log to this file instead of stderr")
  String outputPath;

  @Option(
      names = "--log-max-retained-files",
      scope = ScopeType.INHERIT,
      hidden = true,
      description = "Accepted for compatibility; the log file is not rotated")
  Integer maxRetainedFiles;

  @Option(names = "--log-max-size", scope = ScopeType.INHERIT, hidden = true)
  Integer maxSize;

  @Option(names = "--log-max-age", scope = ScopeType.INHERIT, hidden = true)
  Integer maxAge;

  /** The level as given, or null. */
  public String level() {
    return level;
  }

  /** The output path as given, or null. */
  public String outputPath() {
    return outputPath;
  }
}
