package io.meshlite.iptables.config;

import java.util.List;

/** Invalid configuration; carries every problem found, each naming where the value came from. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code origin: value (expected: ...)}. */
  public List<String> problems() {
    return problems;
  }
}
