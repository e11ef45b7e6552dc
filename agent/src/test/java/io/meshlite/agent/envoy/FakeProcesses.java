package io.meshlite.agent.envoy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/** In-memory processes and a launcher for supervisor unit tests. */
final class FakeProcesses {
  private FakeProcesses() {}

  /** A process whose exit the test controls. */
  static final class FakeProcess implements RunningProcess {
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    final long pid;
    volatile boolean terminated;
    volatile boolean killed;
    volatile boolean ignoresTerm;
    volatile Runnable beforeExitSeen = () -> {};

    FakeProcess(long pid) {
      this.pid = pid;
    }

    FakeProcess exitWith(int code) {
      exit.complete(code);
      return this;
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public boolean isAlive() {
      return !exit.isDone();
    }

    @Override
    public int waitFor() throws InterruptedException {
      try {
        int code = exit.get();
        beforeExitSeen.run();
        return code;
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean waitFor(Duration timeout) {
      return exit.isDone(); // no real waiting: a process that ignores SIGTERM "times out" at once
    }

    @Override
    public void terminate() {
      terminated = true;
      if (!ignoresTerm) {
        exit.complete(143);
      }
    }

    @Override
    public void kill() {
      killed = true;
      exit.complete(137);
    }
  }

  /** Hands out the process the factory makes for the n-th start (0-based); null means "cannot start". */
  static final class FakeLauncher implements ProcessLauncher {
    final List<List<String>> commands = new ArrayList<>();
    final List<FakeProcess> started = new ArrayList<>();
    private final IntFunction<FakeProcess> factory;

    FakeLauncher(IntFunction<FakeProcess> factory) {
      this.factory = factory;
    }

    @Override
    public synchronized RunningProcess start(List<String> command) throws IOException {
      commands.add(command);
      FakeProcess p = factory.apply(commands.size() - 1);
      if (p == null) {
        throw new IOException("no such file");
      }
      started.add(p);
      return p;
    }

    @Override
    public String output(List<String> command, Duration timeout) {
      return "envoy  version: abc/1.39.3/Clean/RELEASE/BoringSSL";
    }

    synchronized List<FakeProcess> started() {
      return List.copyOf(started);
    }
  }
}
