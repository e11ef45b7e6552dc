package io.meshlite.api.mesh;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Durations as Kuma's Mesh spec writes them ({@code dpCert.rotation.expiration: 1d}, {@code
 * caCert.expiration: 10y}): Go's syntax ({@code 24h}, {@code 1h30m}, {@code 90s}, {@code 500ms})
 * plus the units {@code d} (24 hours) and {@code y} (365 days). A value must be positive.
 */
public final class KumaDuration {
  private static final Map<String, BigDecimal> NANOS =
      Map.of(
          "ns", BigDecimal.ONE,
          "us", BigDecimal.valueOf(1_000L),
          "µs", BigDecimal.valueOf(1_000L),
          "ms", BigDecimal.valueOf(1_000_000L),
          "s", BigDecimal.valueOf(1_000_000_000L),
          "m", BigDecimal.valueOf(60_000_000_000L),
          "h", BigDecimal.valueOf(3_600_000_000_000L),
          "d", BigDecimal.valueOf(86_400_000_000_000L),
          "y", BigDecimal.valueOf(365 * 86_400_000_000_000L));

  private KumaDuration() {}

  /**
   * Parses a duration such as {@code 1d}, {@code 24h}, {@code 10y} or {@code 1h30m}.
   *
   * @throws IllegalArgumentException if the text is not a positive duration in this syntax
   */
  public static Duration parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
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
      BigDecimal factor = NANOS.get(s.substring(unitStart, i));
      if (number.isEmpty() || factor == null) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      try {
        total = total.add(new BigDecimal(number).multiply(factor));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a duration: " + text, e);
      }
    }
    if (total.signum() <= 0) {
      throw new IllegalArgumentException("duration must be positive: " + text);
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration too large: " + text);
    }
    return Duration.ofNanos(total.setScale(0, RoundingMode.DOWN).longValueExact());
  }
}
