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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapGovernorTest {
  private static final long MIB = 1L << 20;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final FakeOldGen oldGen = new FakeOldGen();
  private final AtomicInteger gcs = new AtomicInteger();
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
    HeapGovernor.Settings s = new HeapGovernor.Settings(64 * MIB, 0.5, Duration.ofSeconds(5));
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
          .isEqualTo(new HeapGovernor.Settings(32 * MIB, 0.75, Duration.ofSeconds(5)));
      System.setProperty("meshlite.heapGovernor.floorMiB", "lots");
      assertThatThrownBy(HeapGovernor.Settings::fromSystemProperties).hasMessageContaining("floorMiB=lots");
    } finally {
      System.clearProperty("meshlite.heapGovernor.headroom");
      System.clearProperty("meshlite.heapGovernor.floorMiB");
    }
  }

  @Test
  void settingsRejectNonsense() {
    assertThatThrownBy(() -> new HeapGovernor.Settings(-1, 0.5, Duration.ZERO)).hasMessageContaining("floor: -1");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0, Duration.ZERO)).hasMessageContaining("headroom: 0.0");
    assertThatThrownBy(() -> new HeapGovernor.Settings(0, 0.5, Duration.ofSeconds(-1)))
        .hasMessageContaining("minInterval: PT-1S");
  }

  @Test
  void crossingTheThresholdCollectsAndRearmsFromTheNewLiveSet() {
    HeapGovernor g = governor(Duration.ofSeconds(5), gcLeaving(100 * MIB));
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
  void aSecondCrossingWithinTheIntervalIsDeferredAndCollectsOnlyIfStillAbove() throws Exception {
    HeapGovernor g = governor(Duration.ofHours(1), gcLeaving(80 * MIB));
    executor.submit(g::start).get();
    oldGen.used = 70 * MIB;
    executor.submit(g::crossed).get();
    assertThat(gcs).hasValue(1);
    assertThat(oldGen.threshold).isEqualTo(120 * MIB);

    // Crossed again at once: nothing now, one re-check scheduled (a repeat adds none).
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    executor.submit(g::crossed).get();
    assertThat(gcs).hasValue(1);
    assertThat(executor.getQueue()).hasSize(1);
    // The re-check finds usage still above the threshold: it collects.
    executor.submit(g::recheck).get();
    assertThat(gcs).hasValue(2);

    // Crossed again after the interval: collects at once.
    clock.advance(Duration.ofHours(1));
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    assertThat(gcs).hasValue(3);

    // Crossed within the interval, but usage fell below the threshold by the re-check: no collection.
    oldGen.used = 130 * MIB;
    executor.submit(g::crossed).get();
    oldGen.used = 10 * MIB;
    executor.submit(g::recheck).get();
    assertThat(gcs).hasValue(3);
  }

  @Test
  void forThisJvmGovernsOnlyCollectorsThatGrowTheOldGenerationInsteadOfCollectingIt() {
    boolean growing =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .anyMatch(HeapGovernor.GROWING_OLD_GENS::contains);
    var g = HeapGovernor.forThisJvm(HeapGovernor.Settings.defaults(), clock);
    assertThat(g.isPresent()).isEqualTo(growing);
    g.ifPresent(HeapGovernor::stop);
  }

  private HeapGovernor governor(Duration minInterval, Runnable gc) {
    return new HeapGovernor(new HeapGovernor.Settings(64 * MIB, 0.5, minInterval), oldGen, gc, clock, executor);
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
