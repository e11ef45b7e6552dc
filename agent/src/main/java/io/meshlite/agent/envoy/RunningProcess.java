package io.meshlite.agent.envoy;

import java.time.Duration;

/** A started process, as the supervisor sees it. */
public interface RunningProcess {
  long pid();

  boolean isAlive();

  /** Waits for the exit; codes above 128 mean "killed by signal (code - 128)". */
  int waitFor() throws InterruptedException;

  /** Waits at most {@code timeout}; true if the process has exited. */
  boolean waitFor(Duration timeout) throws InterruptedException;

  /** Asks the process to stop (SIGTERM). */
  void terminate();

  /** Kills the process (SIGKILL). */
  void kill();
}
