package io.meshlite.cp.vip;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the VIP allocator.
 *
 * @param cidr the range VIPs come from (Kuma 2.x {@code dnsServer.CIDR}, {@code 240.0.0.0/4})
 * @param releaseGracePeriod how long the VIP of a service that left the mesh stays reserved for it
 *     (DNS answers are cached for 30 s, so a VIP must not move to another service right away)
 * @param sweepInterval how often every mesh is checked even without store events (grace periods
 *     run out, missed events, another control plane's writes)
 */
public record VipSettings(Ipv4Cidr cidr, Duration releaseGracePeriod, Duration sweepInterval) {
  public VipSettings {
    Objects.requireNonNull(cidr, "cidr");
    if (releaseGracePeriod.isNegative()) {
      throw new IllegalArgumentException("releaseGracePeriod must not be negative");
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweepInterval must be positive");
    }
  }

  /** Kuma's range 240.0.0.0/4, a 5 minute grace period, a sweep every 30 seconds. */
  public static VipSettings defaults() {
    return new VipSettings(Ipv4Cidr.parse("240.0.0.0/4"), Duration.ofMinutes(5), Duration.ofSeconds(30));
  }
}
