package io.meshlite.kumactl.client;

import java.io.Serial;

/** The control plane could not be reached (refused, unknown host, timeout, broken connection). */
public final class ApiUnreachableException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /** With a message that says what happened and what to check. */
  public ApiUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
