package io.meshlite.cp.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Go's duration syntax, as Kuma's config and {@code KUMA_*} variables use it: a sequence of decimal
 * numbers with units ({@code 500ms}, {@code 1s}, {@code 1h30m}, {@code 1.5h}, {@code 72h0m0s}).
 * Units: ns, us (or µs), ms, s, m, h. A bare {@code 0} is allowed; negative values are not.
 */
public final class GoDuration {
  private static final Map<String, Long> NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "μs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  /**
   * Parses a Go duration.
   *
   * @throws IllegalArgumentException if the text is not a valid non-negative Go duration
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty() || s.startsWith("-")) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    if (s.startsWith("+")) {
      s = s.substring(1);
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
      Long factor = NANOS.get(unit);
      if (number.isEmpty() || number.equals(".") || factor == null) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      try {
        total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(factor)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a duration: " + text, e);
      }
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration too large: " + text);
    }
    return Duration.ofNanos(total.setScale(0, RoundingMode.DOWN).longValueExact());
  }

  /** Formats like Go's {@code time.Duration.String()}: {@code 1s}, {@code 500ms}, {@code 72h0m0s}. */
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
    BigDecimal v = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit));
    return v.stripTrailingZeros().toPlainString();
  }
}
