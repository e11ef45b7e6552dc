package io.meshlite.agent.envoy;

import java.time.Duration;

/** Capped exponential backoff: base, 2×base, 4×base, ... up to max. */
record Backoff(Duration base, Duration max) {

  /** The delay before the restart that follows the {@code crashesInRow}-th crash in a row (≥ 1). */
  Duration delay(int crashesInRow) {
    int doublings = Math.max(0, Math.min(crashesInRow - 1, 30));
    Duration d = base.multipliedBy(1L << doublings);
    return d.compareTo(max) > 0 ? max : d;
  }
}
