package io.meshlite.agent.testing;

import io.meshlite.agent.support.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/** Time that only moves when waited on (or advanced): waits return at once and are recorded. */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Duration> waits = new ArrayList<>();

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public boolean await(CountDownLatch wake, Duration timeout) {
    if (wake.getCount() == 0) {
      return true;
    }
    synchronized (waits) {
      waits.add(timeout);
    }
    nanos.addAndGet(timeout.toNanos());
    return wake.getCount() == 0;
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /** Every wait so far, in order. */
  public List<Duration> waits() {
    synchronized (waits) {
      return List.copyOf(waits);
    }
  }
}
