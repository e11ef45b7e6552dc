package io.meshlite.cp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshlite.cp.store.MutableClock;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapGovernorTest {
  private static final long MIB = 1L << 20;
  private static final Duration QUIET = Duration.ofMillis(200);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final FakeOldGen oldGen = new FakeOldGen();
  private final AtomicInteger gcs = new AtomicInteger();
  private final AtomicLong activity = new AtomicLong();
  private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  /** A full GC that leaves {@code live} bytes in the fake old generation. */
  private Runnable gcLeaving(long live) {
    return () -> {
      gcs.incrementAndGet();
      oldGen.used = live;
      oldGen.afterCollection = live;
    };
  }

  @Test
  void thresholdIsTheLiveSetPlusHeadroomButNeverBelowTheFloor() {
    HeapGovernor.Settings s = new HeapGovernor.Settings(64 * MIB, 0.5, Duration.ofSeconds(5), QUIET, Duration.ofSeconds(10));
    assertThat(s.threshold(0)).isEqualTo(64 * MIB);
    assertThat(s.threshold(40 * MIB)).isEqualTo(64 * MIB);
    assertThat(s.threshold(100 * MIB)).isEqualTo(150 * MIB);
    assertThat(HeapGovernor.Settings.defaults()).isEqualTo(s.withHeadroom(0.25));
  }

  @Test
  void settingsFromSystemPropertiesOverrideTheDefaults() {
    assertThat(HeapGovernor.Settings.fromSystemProperties()).isEqualTo(HeapGovernor.Settings.defaults());
    System.setProperty("meshlite.heapGovernor.headroom", "0.75");
    System.setProperty("meshlite.heapGovernor.floorMiB", "32");
    try {
      assertThat(HeapGovernor.Settings.fromSystemProperties())
          .isEqualTo(new HeapGovernor.Settings(32 * MIB, 0.75, Duration.ofSeconds(5), QUIET, Duration.ofSeconds(10)));
      System.setProperty("meshlite.heapGovernor.floorMiB", "lots");
      assertThatThrownBy(HeapGovernor.Settings::fromSystemProperties).hasMessageContaining("floorMiB=lots");
    } finally {
      System.clearProperty("meshlite.heapGovernor.headroom");
      System.clearProperty("meshlite.heapGovernor.floorMiB");
    }
  }

  @Test
  void settingsRejectNonsense() {
    Duration d = Duration.ZERO;
    assertThatThrownBy(() -> new HeapGovernor.Settings(-1, 0.5, d, QUIET, d)).hasMessageContaining("floor: -1");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0, d, QUIET, d)).hasMessageContaining("headroom: 0.0");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0.5, Duration.ofSeconds(-1), QUIET, d))
        .hasMessageContaining("minInterval: PT-1S");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0.5, d, Duration.ZERO, d)).hasMessageContaining("quiet: PT0S");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0.5, d, QUIET, Duration.ofSeconds(-1)))
        .hasMessageContaining("maxDefer: PT-1S");
  }

  @Test
  void crossingTheThresholdCollectsAndRearmsFromTheNewLiveSet() {
    HeapGovernor g = governor(Duration.ofSeconds(5), QUIET, gcLeaving(100 * MIB));
    g.start();
    await().until(() -> oldGen.watcher != null);
    assertThat(oldGen.threshold).isEqualTo(64 * MIB); // nothing collected yet: the floor

    oldGen.used = 70 * MIB;
    oldGen.cross();

    await().until(() -> g.collections() == 1);
    assertThat(gcs).hasValue(1);
    assertThat(oldGen.threshold).isEqualTo(150 * MIB); // 100 MiB live + 50 %
    g.stop();
    assertThat(oldGen.watcher).isNull();
  }

  @Test
  void aCrossingWaitsForTheIntervalAndForAQuietMomentAndCollectsOnlyIfStillAbove() throws Exception {
    // Scheduled checks never come due in this test (quiet = 1 h): it runs each check itself.
    HeapGovernor g = governor(Duration.ofHours(1), Duration.ofHours(1), gcLeaving(80 * MIB));
    executor.submit(g::start).get();
    oldGen.used = 70 * MIB;
    executor.submit(g::crossed).get();
    assertThat(gcs).hasValue(0); // waits one quiet period first
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(1); // nothing happened meanwhile: collected
    assertThat(oldGen.threshold).isEqualTo(120 * MIB);

    // Crossed again within the interval: nothing now (a repeat adds nothing), still nothing on a check.
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    executor.submit(g::crossed).get();
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(1);

    // After the interval, but the control plane is busy: waits for a quiet moment...
    clock.advance(Duration.ofHours(1));
    activity.incrementAndGet();
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(1);
    activity.incrementAndGet();
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(1);
    // ...and collects once the work counter stood still for a period.
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(2);

    // Busy all along: collects anyway once maxDefer (10 s) has passed since it was allowed.
    clock.advance(Duration.ofHours(1));
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    activity.incrementAndGet();
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(2);
    clock.advance(Duration.ofSeconds(10));
    activity.incrementAndGet();
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(3);

    // Crossed, but usage fell below the threshold by the check (the JVM collected): no collection.
    clock.advance(Duration.ofHours(1));
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    oldGen.used = 10 * MIB;
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(3);
    executor.submit(g::crossed).get(); // and a new crossing is taken again
    oldGen.used = 130 * MIB;
    executor.submit(g::check).get();
    assertThat(gcs).hasValue(4);
  }

  @Test
  void forThisJvmGovernsOnlyCollectorsThatGrowTheOldGenerationInsteadOfCollectingIt() {
    boolean growing =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .anyMatch(HeapGovernor.GROWING_OLD_GENS::contains);
    var g = HeapGovernor.forThisJvm(HeapGovernor.Settings.defaults(), activity::get, clock);
    assertThat(g.isPresent()).isEqualTo(growing);
    g.ifPresent(HeapGovernor::stop);
  }

  private HeapGovernor governor(Duration minInterval, Duration quiet, Runnable gc) {
    return new HeapGovernor(
        new HeapGovernor.Settings(64 * MIB, 0.5, minInterval, quiet, Duration.ofSeconds(10)),
        oldGen,
        gc,
        activity::get,
        clock,
        executor);
  }

  private static final class FakeOldGen implements HeapGovernor.OldGen {
    volatile long used;
    volatile long afterCollection;
    volatile long threshold = -1;
    volatile Runnable watcher;

    void cross() {
      watcher.run();
    }

    @Override
    public String name() {
      return "Tenured Gen";
    }

    @Override
    public long used() {
      return used;
    }

    @Override
    public long usedAfterLastCollection() {
      return afterCollection;
    }

    @Override
    public void threshold(long bytes) {
      threshold = bytes;
    }

    @Override
    public void watch(Runnable crossed) {
      watcher = crossed;
    }

    @Override
    public void unwatch() {
      watcher = null;
    }
  }
}
