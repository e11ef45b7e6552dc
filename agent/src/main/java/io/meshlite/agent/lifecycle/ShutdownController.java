package io.meshlite.agent.lifecycle;

import io.meshlite.agent.support.Ticker;
import io.meshlite.api.time.GoDuration;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown state machine.
 *
 * <ol>
 *   <li>First signal: readiness turns {@code TERMINATING}; Envoy is asked to fail health checks
 *       ({@code /healthcheck/fail}) and to drain inbound listeners ({@code
 *       /drain_listeners?inboundonly&graceful}); then it waits until the drain time has passed or
 *       no inbound connection is left (polled), and stops Envoy.
 *   <li>Second signal: skips the rest of the wait and stops Envoy now.
 *   <li>Third signal: kills Envoy and exits with 1.
 * </ol>
 */
public final class ShutdownController {
  private static final Logger log = LoggerFactory.getLogger(ShutdownController.class);

  /** What the controller acts on; the agent implements it over its supervisor and readiness. */
  public interface Target {
    /** Readiness reports TERMINATING from now on, and Envoy is not restarted any more. */
    void markTerminating();

    boolean envoyRunning();

    void failHealthChecks() throws IOException;

    void drainInboundListeners() throws IOException;

    long activeInboundConnections() throws IOException;

    /** Stops Envoy (SIGTERM, then SIGKILL after a grace period), or cancels the start-up. */
    void stop() throws InterruptedException;

    /** Kills Envoy at once. */
    void kill();
  }

  /** Where the controller is. */
  public enum Phase {
    RUNNING,
    DRAINING,
    STOPPING,
    STOPPED
  }

  private final Target target;
  private final Duration drainTime;
  private final Duration pollInterval;
  private final Ticker ticker;
  private final IntConsumer halt;
  private final AtomicInteger signals = new AtomicInteger();
  private final CountDownLatch skipDrain = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Phase phase = Phase.RUNNING;

  /**
   * @param pollInterval how often active inbound connections are checked while draining
   * @param halt exits the process (third signal); {@code Runtime.getRuntime()::halt} in production
   */
  public ShutdownController(Target target, Duration drainTime, Duration pollInterval, Ticker ticker, IntConsumer halt) {
    this.target = target;
    this.drainTime = drainTime;
    this.pollInterval = pollInterval;
    this.ticker = ticker;
    this.halt = halt;
  }

  /** Handles a signal; returns at once (the drain runs on its own thread). */
  public void signal(String name) {
    int n = signals.incrementAndGet();
    if (n == 1) {
      log.info("received SIG{}: draining Envoy for up to {} (send it again to stop at once)", name,
          GoDuration.format(drainTime));
      phase = Phase.DRAINING;
      Thread.ofPlatform().name("kuma-dp-shutdown").daemon(false).start(this::drainAndStop);
    } else if (n == 2) {
      log.info("received SIG{} again: stopping Envoy now", name);
      skipDrain.countDown();
    } else {
      log.warn("received SIG{} a third time: killing Envoy and exiting", name);
      target.kill();
      halt.accept(1);
    }
  }

  public Phase phase() {
    return phase;
  }

  /** Waits until the shutdown that a signal started has stopped Envoy. */
  public void awaitStopped() throws InterruptedException {
    done.await();
  }

  /** The drain sequence; runs on the shutdown thread (package-private for tests). */
  void drainAndStop() {
    try {
      target.markTerminating();
      if (target.envoyRunning()) {
        drain();
      }
      phase = Phase.STOPPING;
      target.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      target.kill();
    } catch (RuntimeException e) {
      log.error("shutdown failed; killing Envoy", e);
      target.kill();
    } finally {
      phase = Phase.STOPPED;
      done.countDown();
    }
  }

  private void drain() throws InterruptedException {
    try {
      target.failHealthChecks();
      target.drainInboundListeners();
    } catch (IOException e) {
      log.warn("could not ask Envoy to drain ({}); waiting for the drain time anyway", e.getMessage());
    }
    long start = ticker.nanoTime();
    while (true) {
      Duration left = drainTime.minus(ticker.since(start));
      if (left.isNegative() || left.isZero()) {
        log.info("drain time {} has passed: stopping Envoy", GoDuration.format(drainTime));
        return;
      }
      if (ticker.await(skipDrain, left.compareTo(pollInterval) < 0 ? left : pollInterval)) {
        return;
      }
      if (!target.envoyRunning()) {
        log.info("Envoy is no longer running: nothing left to drain");
        return;
      }
      try {
        long active = target.activeInboundConnections();
        if (active == 0) {
          log.info("no inbound connection left after {}: stopping Envoy", GoDuration.format(ticker.since(start)));
          return;
        }
        log.debug("draining: {} inbound connections still active", active);
      } catch (IOException e) {
        log.debug("could not read Envoy's connection stats: {}", e.getMessage());
      }
    }
  }
}
