package io.meshlite.iptables.system;

/**
 * A failure the user can act on; the message is one line saying what is wrong and what to do.
 * Host rules are left as they were when this is thrown.
 */
public final class TransparentProxyException extends RuntimeException {
  public TransparentProxyException(String message) {
    super(message);
  }

  public TransparentProxyException(String message, Throwable cause) {
    super(message, cause);
  }
}
