package io.meshlite.agent.config;

import java.io.Serial;
import java.util.List;

/** The configuration is invalid. The message is one line listing every problem found. */
public final class ConfigException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  ConfigException(List<String> problems) {
    super("invalid configuration: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code where: what (expected: ...)}. */
  public List<String> problems() {
    return problems;
  }
}
