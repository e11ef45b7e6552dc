package io.meshlite.agent.envoy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Starts processes. Injected so tests can run stand-ins or fakes instead of Envoy. */
public interface ProcessLauncher {

  /** Starts a long-running process whose output goes wherever the launcher sends it. */
  RunningProcess start(List<String> command) throws IOException;

  /**
   * Runs a short command to completion and returns its stdout and stderr.
   *
   * @throws IOException when it cannot start or does not finish within {@code timeout}
   */
  String output(List<String> command, Duration timeout) throws IOException, InterruptedException;
}
