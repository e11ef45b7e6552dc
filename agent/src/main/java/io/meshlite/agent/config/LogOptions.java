package io.meshlite.agent.config;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

/** kuma-dp's root logging flags (no environment variables, as in Kuma). */
public final class LogOptions {
  String level;
  String outputPath;
  Integer maxRetainedFiles;
  Integer maxSize;
  Integer maxAge;

  /** Adds these flags to kuma-dp's root command; every subcommand inherits them. */
  public void addTo(CommandSpec root) {
    root.addOption(Flags.option(String.class, () -> level, v -> level = v, "LEVEL",
            "kuma-dp log level: off, error, info or debug (default: info)", "--log-level")
        .scopeType(ScopeType.INHERIT).build());
    root.addOption(Flags.option(String.class, () -> outputPath, v -> outputPath = v, "PATH",
            "Write the log to this file instead of stderr", "--log-output-path")
        .scopeType(ScopeType.INHERIT).build());
    root.addOption(Flags.option(Integer.class, () -> maxRetainedFiles, v -> maxRetainedFiles = v, "<maxRetainedFiles>",
            "Accepted for compatibility; the log file is not rotated", "--log-max-retained-files")
        .scopeType(ScopeType.INHERIT).hidden(true).build());
    root.addOption(Flags.option(Integer.class, () -> maxSize, v -> maxSize = v, "<maxSize>", "", "--log-max-size")
        .scopeType(ScopeType.INHERIT).hidden(true).build());
    root.addOption(Flags.option(Integer.class, () -> maxAge, v -> maxAge = v, "<maxAge>", "", "--log-max-age")
        .scopeType(ScopeType.INHERIT).hidden(true).build());
  }

  /** The level as given, or null. */
  public String level() {
    return level;
  }

  /** The output path as given, or null. */
  public String outputPath() {
    return outputPath;
  }
}
