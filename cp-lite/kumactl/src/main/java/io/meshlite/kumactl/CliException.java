package io.meshlite.kumactl;

import java.io.Serial;

/**
 * A user-facing failure: its message is printed as {@code Error: <message>} on one line and the
 * command exits with 1. Say what is wrong and, where it helps, what to do.
 */
public final class CliException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /** A failure with a one-line message. */
  public CliException(String message) {
    super(message);
  }

  /** A failure with a one-line message and its cause (never printed unless debugging). */
  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
