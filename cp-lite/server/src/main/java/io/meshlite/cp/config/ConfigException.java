package io.meshlite.cp.config;

import java.io.Serial;

/**
 * The configuration cannot be used. The message is one line naming the key (or file), the value
 * and what is expected, ready to print on stderr before exiting.
 */
public final class ConfigException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
