package io.meshlite.agent.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The passage of time as the agent sees it. Production uses {@link #system()}; tests pass a fake
 * whose waits return at once and move its clock forward, so backoff and drain logic runs without
 * real sleeping.
 */
public interface Ticker {

  /** A monotonic reading in nanoseconds (only differences are meaningful). */
  long nanoTime();

  /**
   * Waits until {@code wake} opens or {@code timeout} passes, whichever comes first.
   *
   * @return true if {@code wake} opened
   */
  boolean await(CountDownLatch wake, Duration timeout) throws InterruptedException;

  /** Time elapsed since an earlier {@link #nanoTime()} reading. */
  default Duration since(long startNanos) {
    return Duration.ofNanos(nanoTime() - startNanos);
  }

  /** Real time. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }

  /** Real time: {@link System#nanoTime()} and {@link CountDownLatch#await(long, TimeUnit)}. */
  enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public boolean await(CountDownLatch wake, Duration timeout) throws InterruptedException {
      if (timeout.isNegative() || timeout.isZero()) {
        return wake.getCount() == 0;
      }
      return wake.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
