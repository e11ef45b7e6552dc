package io.meshlite.agent.bootstrap;

import java.io.Serial;

/** The bootstrap could not be fetched and kuma-dp must stop. The message is one line for the user. */
public final class BootstrapException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  BootstrapException(String message) {
    super(message);
  }
}
