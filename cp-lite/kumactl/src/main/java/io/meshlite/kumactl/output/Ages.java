package io.meshlite.kumactl.output;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Time cells as Kuma's kumactl writes them: {@code 43s}, {@code 2m}, {@code 9h}, {@code 3d}, {@code 1y}. */
public final class Ages {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private Ages() {}

  /** The age of something that happened at {@code then}, seen at {@code now}. */
  public static String since(Instant then, Instant now) {
    return duration(Duration.between(then, now));
  }

  /** Like {@link #since}, or {@code never} when there is no time. */
  public static String ago(Optional<Instant> then, Instant now) {
    return then.map(t -> since(t, now)).orElse("never");
  }

  /** A date cell ({@code 2006-01-02 15:04:05} in the given zone), or {@code -}. */
  public static String date(Optional<Instant> t, ZoneId zone) {
    return t.map(i -> DATE.format(i.atZone(zone))).orElse("-");
  }

  /** Kuma's coarse rendering of a duration. */
  public static String duration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "never";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60) {
      return seconds + "s";
    } else if (seconds < 3600) {
      return (seconds / 60) + "m";
    }
    long hours = seconds / 3600;
    if (hours < 24) {
      return hours + "h";
    } else if (hours < 24 * 365) {
      return (hours / 24) + "d";
    }
    return (hours / 24 / 365) + "y";
  }

  /** Parses an RFC 3339 time, empty when absent or unreadable. */
  public static Optional<Instant> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }
}
