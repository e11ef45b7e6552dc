package io.meshlite.cp.xds;

import io.meshlite.cp.xds.generator.ProxyMetadata;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serial lane of one connected proxy. Work for the proxy runs on {@link #serial}, one task at
 * a time, so the fields below that only lane tasks touch need no lock.
 */
final class ProxyLane {
  final ProxyId id;
  final Executor serial;

  /** A reconcile is scheduled and has not started yet (coalesces bursts of events). */
  final AtomicBoolean pending = new AtomicBoolean();

  /** Open ADS streams of this proxy; changed only inside the lane map's compute for its key. */
  final AtomicInteger streams = new AtomicInteger();

  /** Set when the lane was retired; lane tasks only. */
  boolean closed;

  /** True while the proxy's Dataplane is missing (logged once per episode); lane tasks only. */
  boolean missing;

  /** What the proxy's node metadata says (work dir, features), from its latest stream. */
  volatile ProxyMetadata metadata = ProxyMetadata.NONE;

  /** Versions of the last snapshot set for this proxy; written by lane tasks, read by stats. */
  volatile SnapshotVersions versions;

  /** The scheduled regeneration for a certificate renewal, and its time; lane tasks only. */
  java.util.concurrent.ScheduledFuture<?> renewal;

  Instant renewalAt;

  /** When the last snapshot was set. */
  volatile Instant lastPush;

  ProxyLane(ProxyId id, Executor serial) {
    this.id = id;
    this.serial = serial;
  }
}
