package io.meshlite.cp.runtime;

/**
 * A long-running part of the control plane (a server, a reconciler, a listener). {@code CpMain}
 * starts components in order and stops them in reverse order.
 */
public interface Component extends AutoCloseable {
  /** Starts the component; returns once it serves (ports bound, threads running). */
  void start() throws Exception;

  /** Stops the component and releases its resources; idempotent. */
  void stop();

  /** True once the component is serving. */
  default boolean ready() {
    return true;
  }

  @Override
  default void close() {
    stop();
  }
}
