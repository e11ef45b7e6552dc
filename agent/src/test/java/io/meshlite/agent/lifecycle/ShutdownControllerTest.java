package io.meshlite.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShutdownControllerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeTarget target = new FakeTarget();
  private final AtomicInteger halted = new AtomicInteger(-1);

  private ShutdownController controller(Duration drain, Duration poll) {
    return new ShutdownController(target, drain, poll, ticker, halted::set);
  }

  @Test
  void firstSignalDrainsUntilNoInboundConnectionIsLeftThenStops() throws Exception {
    target.active.addAll(List.of(3L, 1L, 0L));
    ShutdownController c = controller(Duration.ofSeconds(30), Duration.ofSeconds(1));
    c.signal("TERM");
    c.awaitStopped();
    assertThat(target.calls()).containsExactly(
        "markTerminating", "failHealthChecks", "drainInboundListeners", "active", "active", "active", "stop");
    assertThat(ticker.waits()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(c.phase()).isEqualTo(ShutdownController.Phase.STOPPED);
    assertThat(halted).hasValue(-1);
  }

  @Test
  void busyListenersAreGivenTheDrainTimeAndNoMore() {
    target.busyForever = true;
    ShutdownController c = controller(Duration.ofSeconds(30), Duration.ofSeconds(7));
    c.drainAndStop();
    assertThat(ticker.waits()).containsExactly(
        Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(2));
    assertThat(target.calls()).endsWith("stop");
  }

  @Test
  void secondSignalSkipsTheRestOfTheWait() {
    ShutdownController c = controller(Duration.ofSeconds(30), Duration.ofSeconds(1));
    target.busyForever = true;
    target.onActive = () -> c.signal("INT"); // the second signal arrives while draining
    c.signal("TERM");
    await().until(() -> c.phase() == ShutdownController.Phase.STOPPED);
    assertThat(target.calls()).containsExactly(
        "markTerminating", "failHealthChecks", "drainInboundListeners", "active", "stop");
    assertThat(ticker.waits()).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void thirdSignalKillsAndExits() {
    target.blockStop = true;
    ShutdownController c = controller(Duration.ofSeconds(30), Duration.ofSeconds(1));
    c.signal("TERM");
    c.signal("TERM");
    c.signal("TERM");
    assertThat(halted).hasValue(1);
    assertThat(target.calls()).contains("kill");
    target.release();
  }

  @Test
  void withoutARunningEnvoyItStopsAtOnce() {
    target.running = false;
    controller(Duration.ofSeconds(30), Duration.ofSeconds(1)).drainAndStop();
    assertThat(target.calls()).containsExactly("markTerminating", "stop");
    assertThat(ticker.waits()).isEmpty();
  }

  @Test
  void adminFailuresStillWaitForTheDrainTime() {
    target.adminDown = true;
    controller(Duration.ofSeconds(3), Duration.ofSeconds(1)).drainAndStop();
    assertThat(target.calls()).containsExactly("markTerminating", "failHealthChecks", "active", "active", "active", "stop");
    assertThat(ticker.waits()).hasSize(3);
  }

  @Test
  void envoyDyingDuringTheDrainEndsIt() {
    target.busyForever = true;
    target.onActive = () -> target.running = false;
    controller(Duration.ofSeconds(30), Duration.ofSeconds(1)).drainAndStop();
    assertThat(target.calls()).containsExactly(
        "markTerminating", "failHealthChecks", "drainInboundListeners", "active", "stop");
  }

  /** Records calls; answers from a script. */
  static final class FakeTarget implements ShutdownController.Target {
    final Deque<Long> active = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();
    volatile boolean running = true;
    volatile boolean busyForever;
    volatile boolean adminDown;
    volatile boolean blockStop;
    volatile Runnable onActive = () -> {};
    private final Object gate = new Object();

    synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    private synchronized void record(String call) {
      calls.add(call);
    }

    @Override
    public void markTerminating() {
      record("markTerminating");
    }

    @Override
    public boolean envoyRunning() {
      return running;
    }

    @Override
    public void failHealthChecks() throws IOException {
      record("failHealthChecks");
      if (adminDown) {
        throw new IOException("connection refused");
      }
    }

    @Override
    public void drainInboundListeners() {
      record("drainInboundListeners");
    }

    @Override
    public long activeInboundConnections() throws IOException {
      record("active");
      onActive.run();
      if (adminDown) {
        throw new IOException("connection refused");
      }
      if (busyForever) {
        return 4;
      }
      Long next = active.poll();
      return next == null ? 0 : next;
    }

    @Override
    public void stop() throws InterruptedException {
      record("stop");
      if (blockStop) {
        synchronized (gate) {
          while (blockStop) {
            gate.wait();
          }
        }
      }
    }

    @Override
    public void kill() {
      record("kill");
    }

    void release() {
      synchronized (gate) {
        blockStop = false;
        gate.notifyAll();
      }
    }
  }
}
