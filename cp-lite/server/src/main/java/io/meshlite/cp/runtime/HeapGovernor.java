package io.meshlite.cp.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the old generation of a Serial (or Parallel) GC heap near the live set when no {@code
 * -Xmx} bounds it.
 *
 * <p>Those collectors collect the old generation only when it cannot grow any more. Without a
 * small {@code -Xmx} (which would break large meshes) every config push promotes the proxies' new
 * snapshots and leaves the replaced ones as garbage in the old generation, which then grows by
 * expansion, push after push, towards the default maximum of a quarter of RAM: at 1,000 dataplanes
 * kuma-cp's heap went from 44 to 180 MiB over 10 rounds of changes with a 75 MiB live set
 * (docs/bench/xds.md). This component sets a usage threshold on the old generation at {@code
 * max(floor, live × (1 + headroom))}, where {@code live} is its occupancy after the last full
 * collection. When the JVM reports the threshold crossed (checked after each young collection) it
 * asks for a full collection, at most once per {@code minInterval} and, so that the pause does not
 * land in a config push, once the control plane's work counter has stood still for {@code quiet}
 * (or {@code maxDefer} has passed); then it sets the threshold again from the new live size. A larger mesh only raises the threshold with its live set, so nothing is
 * capped; the cost is one full collection per {@code live × headroom} bytes promoted.
 *
 * <p>It does nothing under G1, ZGC or Shenandoah, which collect the old generation concurrently.
 */
public final class HeapGovernor implements Component {
  private static final Logger log = LoggerFactory.getLogger(HeapGovernor.class);

  /** Old-generation pools of the collectors that only collect them when they cannot grow. */
  static final Set<String> GROWING_OLD_GENS = Set.of("Tenured Gen", "PS Old Gen");

  /**
   * @param floor the lowest threshold (below it a full collection is never asked for)
   * @param headroom garbage allowed on top of the live old generation, as a fraction of it
   * @param minInterval the least time between two collections this component asks for
   * @param quiet how long the control plane must have done no work before a collection (so its
   *     pause does not land in the middle of a config push)
   * @param maxDefer how long a collection may wait for such a quiet moment
   */
  public record Settings(long floor, double headroom, Duration minInterval, Duration quiet, Duration maxDefer) {
    public Settings {
      if (floor < 0) {
        throw new IllegalArgumentException("floor: " + floor + " (expected: >= 0)");
      }
      if (!(headroom > 0)) {
        throw new IllegalArgumentException("headroom: " + headroom + " (expected: > 0)");
      }
      if (minInterval == null || minInterval.isNegative()) {
        throw new IllegalArgumentException("minInterval: " + minInterval + " (expected: >= 0)");
      }
      if (quiet == null || quiet.isNegative() || quiet.isZero()) {
        throw new IllegalArgumentException("quiet: " + quiet + " (expected: > 0)");
      }
      if (maxDefer == null || maxDefer.isNegative()) {
        throw new IllegalArgumentException("maxDefer: " + maxDefer + " (expected: >= 0)");
      }
    }

    /**
     * 64 MiB floor, 25 % headroom, at most one collection every 5 s, after 200 ms without xDS work
     * or at most 10 s late. At 1,000 dataplanes (75 MiB live) 25 % meant 6 full GCs of ~150 ms in
     * 10 rounds and a 310 MiB peak RSS, 50 % meant 4 and 335 MiB (docs/bench/xds.md).
     */
    public static Settings defaults() {
      return new Settings(64L << 20, 0.25, Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /**
     * The defaults, overridden by the JVM system properties {@code meshlite.heapGovernor.floorMiB},
     * {@code .headroom} and {@code .minIntervalMs} where set.
     *
     * @throws IllegalArgumentException naming the property whose value is not valid
     */
    public static Settings fromSystemProperties() {
      Settings d = defaults();
      String prefix = "meshlite.heapGovernor.";
      String floor = System.getProperty(prefix + "floorMiB");
      String headroom = System.getProperty(prefix + "headroom");
      String interval = System.getProperty(prefix + "minIntervalMs");
      try {
        return new Settings(
            floor == null ? d.floor() : Long.parseLong(floor.trim()) << 20,
            headroom == null ? d.headroom() : Double.parseDouble(headroom.trim()),
            interval == null ? d.minInterval() : Duration.ofMillis(Long.parseLong(interval.trim())),
            d.quiet(),
            d.maxDefer());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-D" + prefix + "*: not a number (" + e.getMessage() + "); floorMiB=" + floor + " headroom=" + headroom
                + " minIntervalMs=" + interval,
            e);
      }
    }

    /** These settings with another headroom. */
    public Settings withHeadroom(double headroom) {
      return new Settings(floor, headroom, minInterval, quiet, maxDefer);
    }

    /** The threshold for an old generation holding {@code live} bytes after a full collection. */
    long threshold(long live) {
      return Math.max(floor, live + (long) (live * headroom));
    }
  }

  /** The old generation, as far as this component needs it (a fake in tests). */
  interface OldGen {
    /** The pool's name. */
    String name();

    /** Bytes in use now. */
    long used();

    /** Bytes in use after the last collection of this pool, or 0 before the first. */
    long usedAfterLastCollection();

    /** Sets the usage threshold whose crossing calls the listener given to {@link #watch}. */
    void threshold(long bytes);

    /** Calls {@code crossed} (on a JVM thread) each time usage crosses the threshold upwards. */
    void watch(Runnable crossed);

    /** Stops calling the listener. */
    void unwatch();
  }

  private final Settings settings;
  private final OldGen oldGen;
  private final Runnable fullGc;
  private final LongSupplier activity;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  // Owned by the executor's one thread.
  private long threshold;
  private Instant lastCollection = Instant.MIN;
  private boolean pending;
  private Instant crossedAt;
  private long seenActivity;
  private volatile long collections;

  HeapGovernor(
      Settings settings,
      OldGen oldGen,
      Runnable fullGc,
      LongSupplier activity,
      Clock clock,
      ScheduledExecutorService executor) {
    this.settings = settings;
    this.oldGen = oldGen;
    this.fullGc = fullGc;
    this.activity = activity;
    this.clock = clock;
    this.executor = executor;
  }

  /**
   * The governor for this JVM's heap, or empty when its collector bounds the old generation by
   * itself (G1, ZGC, Shenandoah) or offers no usage threshold.
   *
   * @param activity a counter of the control plane's work (e.g. xDS generations): a collection
   *     waits until it has not moved for {@link Settings#quiet()}
   */
  public static Optional<HeapGovernor> forThisJvm(Settings settings, LongSupplier activity, Clock clock) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP
          && GROWING_OLD_GENS.contains(pool.getName())
          && pool.isUsageThresholdSupported()) {
        ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "heap-governor");
                  t.setDaemon(true);
                  return t;
                });
        return Optional.of(new HeapGovernor(settings, new JvmOldGen(pool), System::gc, activity, clock, executor));
      }
    }
    return Optional.empty();
  }

  @Override
  public void start() {
    executor.execute(
        () -> {
          rearm();
          oldGen.watch(() -> executor.execute(this::crossed));
          log.info(
              "heap governor watching pool=\"{}\" threshold={} MiB (floor {} MiB, headroom {} %, min interval {},"
                  + " quiet {}, max defer {})",
              oldGen.name(), threshold >> 20, settings.floor() >> 20, Math.round(settings.headroom() * 100),
              settings.minInterval(), settings.quiet(), settings.maxDefer());
        });
  }

  @Override
  public void stop() {
    oldGen.unwatch();
    executor.shutdownNow();
  }

  /** Full collections asked for so far. */
  public long collections() {
    return collections;
  }

  /** The current threshold in bytes (for tests and diagnostics). */
  long threshold() {
    return threshold;
  }

  /**
   * Called on the executor when usage crossed the threshold: a collection follows once {@code
   * minInterval} has passed since the last one and the control plane has been quiet for {@code
   * quiet} (or for {@code maxDefer} after it became allowed).
   */
  void crossed() {
    if (pending) {
      return;
    }
    pending = true;
    crossedAt = clock.instant();
    seenActivity = activity.getAsLong();
    Instant earliest = earliest();
    long wait = crossedAt.isBefore(earliest) ? Duration.between(crossedAt, earliest).toNanos() : 0;
    executor.schedule(this::check, Math.max(wait, settings.quiet().toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Called on the executor while a crossing waits for its collection. */
  void check() {
    if (oldGen.used() < threshold) {
      pending = false; // collected meanwhile (by the JVM itself)
      return;
    }
    Instant now = clock.instant();
    if (now.isBefore(earliest())) {
      executor.schedule(this::check, Duration.between(now, earliest()).toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    long seen = activity.getAsLong();
    boolean quiet = seen == seenActivity;
    Instant allowed = crossedAt.isAfter(earliest()) ? crossedAt : earliest();
    if (!quiet && now.isBefore(allowed.plus(settings.maxDefer()))) {
      seenActivity = seen;
      executor.schedule(this::check, settings.quiet().toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    pending = false;
    collect();
  }

  private Instant earliest() {
    return lastCollection == Instant.MIN ? Instant.MIN : lastCollection.plus(settings.minInterval());
  }

  private void collect() {
    long before = oldGen.used();
    long start = System.nanoTime();
    fullGc.run();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    lastCollection = clock.instant();
    collections++;
    rearm();
    log.info(
        "heap governor: full GC old={} MiB -> live {} MiB in {} ms, next at {} MiB",
        before >> 20, oldGen.usedAfterLastCollection() >> 20, millis, threshold >> 20);
  }

  private void rearm() {
    threshold = settings.threshold(oldGen.usedAfterLastCollection());
    oldGen.threshold(threshold);
  }

  @Override
  public String toString() {
    return "heap-governor";
  }

  /** The JVM's old-generation pool. */
  private static final class JvmOldGen implements OldGen {
    private final MemoryPoolMXBean pool;
    private final NotificationEmitter emitter =
        (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    private NotificationListener listener;

    JvmOldGen(MemoryPoolMXBean pool) {
      this.pool = pool;
    }

    @Override
    public String name() {
      return pool.getName();
    }

    @Override
    public long used() {
      return pool.getUsage().getUsed();
    }

    @Override
    public long usedAfterLastCollection() {
      MemoryUsage u = pool.getCollectionUsage();
      return u == null ? 0 : u.getUsed();
    }

    @Override
    public void threshold(long bytes) {
      pool.setUsageThreshold(bytes);
    }

    @Override
    public synchronized void watch(Runnable crossed) {
      listener =
          (Notification n, Object handback) -> {
            if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(n.getType())
                && n.getUserData() instanceof CompositeData data
                && pool.getName().equals(MemoryNotificationInfo.from(data).getPoolName())) {
              crossed.run();
            }
          };
      emitter.addNotificationListener(listener, null, null);
    }

    @Override
    public synchronized void unwatch() {
      if (listener == null) {
        return;
      }
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // already gone
      }
      listener = null;
    }
  }
}
