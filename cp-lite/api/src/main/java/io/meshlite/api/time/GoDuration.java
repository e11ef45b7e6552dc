package io.meshlite.api.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Go's duration syntax, which is how Kuma users write every duration: {@code KUMA_*} variables, the
 * config file, kumactl and kuma-dp flags ({@code 500ms}, {@code 30s}, {@code 1m30s}, {@code 1.5h},
 * {@code 72h0m0s}). One parser for the whole project; {@link #parseWithDays} adds the {@code d} and
 * {@code y} units that Kuma's Mesh spec accepts ({@code caCert.expiration: 10y}).
 */
public final class GoDuration {
  private static final BigDecimal HOUR = BigDecimal.valueOf(3_600_000_000_000L);
  private static final Map<String, BigDecimal> GO_UNITS =
      Map.of(
          "ns", BigDecimal.ONE,
          "us", BigDecimal.valueOf(1_000L),
          "µs", BigDecimal.valueOf(1_000L),
          "μs", BigDecimal.valueOf(1_000L),
          "ms", BigDecimal.valueOf(1_000_000L),
          "s", BigDecimal.valueOf(1_000_000_000L),
          "m", BigDecimal.valueOf(60_000_000_000L),
          "h", HOUR);
  private static final Map<String, BigDecimal> DAY_UNITS =
      Map.of("d", HOUR.multiply(BigDecimal.valueOf(24)), "y", HOUR.multiply(BigDecimal.valueOf(24 * 365)));

  private GoDuration() {}

  /**
   * Parses a Go duration: an optional sign, then one or more decimal numbers each with a unit, or a
   * bare {@code 0}.
   *
   * @throws IllegalArgumentException with a message that quotes the text and shows the syntax
   */
  public static Duration parse(String text) {
    return parse(text, false);
  }

  /** As {@link #parse}, and rejects negative durations. */
  public static Duration parseNonNegative(String text) {
    Duration d = parse(text);
    if (d.isNegative()) {
      throw new IllegalArgumentException("\"" + text + "\" must not be negative");
    }
    return d;
  }

  /** Go's syntax plus the units {@code d} (24 h) and {@code y} (365 d), as Kuma's Mesh spec. */
  public static Duration parseWithDays(String text) {
    return parse(text, true);
  }

  private static Duration parse(String text, boolean days) {
    String s = text == null ? "" : text.strip();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      BigDecimal factor = GO_UNITS.get(unit);
      if (factor == null && days) {
        factor = DAY_UNITS.get(unit);
      }
      if (number.isEmpty() || number.equals(".") || factor == null) {
        throw invalid(text);
      }
      try {
        total = total.add(new BigDecimal(number).multiply(factor));
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("\"" + text + "\" is too large a duration");
    }
    Duration d = Duration.ofNanos(total.setScale(0, RoundingMode.DOWN).longValueExact());
    return negative ? d.negated() : d;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is not a duration (expected e.g. 500ms, 30s, 1m30s or 72h)");
  }

  /** Formats like Go's {@code time.Duration.String()}: {@code 0s}, {@code 1.5µs}, {@code 500ms}, {@code 1m0s}, {@code 72h0m0s}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (nanos < 0) {
      b.append('-');
      nanos = -nanos;
    }
    if (nanos < 1_000_000_000L) {
      if (nanos < 1_000L) {
        return b.append(nanos).append("ns").toString();
      }
      if (nanos < 1_000_000L) {
        return b.append(fraction(nanos, 1_000L)).append("µs").toString();
      }
      return b.append(fraction(nanos, 1_000_000L)).append("ms").toString();
    }
    long hours = nanos / 3_600_000_000_000L;
    long rest = nanos % 3_600_000_000_000L;
    long minutes = rest / 60_000_000_000L;
    long secNanos = rest % 60_000_000_000L;
    if (hours > 0) {
      b.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      b.append(minutes).append('m');
    }
    return b.append(fraction(secNanos, 1_000_000_000L)).append('s').toString();
  }

  private static String fraction(long value, long unit) {
    return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
  }
}
