package io.meshlite.agent.testing;

import io.meshlite.agent.envoy.ProcessLauncher;
import io.meshlite.agent.envoy.RunningProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wraps a launcher and remembers every long-running process it started, so tests can kill them. */
public final class RecordingLauncher implements ProcessLauncher {
  private final ProcessLauncher delegate;
  private final List<RunningProcess> started = new ArrayList<>();

  public RecordingLauncher(ProcessLauncher delegate) {
    this.delegate = delegate;
  }

  @Override
  public RunningProcess start(List<String> command) throws IOException {
    RunningProcess p = delegate.start(command);
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  @Override
  public String output(List<String> command, Duration timeout) throws IOException, InterruptedException {
    return delegate.output(command, timeout);
  }

  public List<RunningProcess> started() {
    synchronized (started) {
      return List.copyOf(started);
    }
  }

  /** The last process started, if any. */
  public RunningProcess last() {
    List<RunningProcess> all = started();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** Kills everything still running (for @AfterEach). */
  public void killAll() {
    for (RunningProcess p : started()) {
      if (p.isAlive()) {
        p.kill();
      }
    }
  }
}
