package io.meshlite.api.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1s, 1000000000",
    "500ms, 500000000",
    "1.5h, 5400000000000",
    "72h0m0s, 259200000000000",
    "1h30m, 5400000000000",
    "1m0s, 60000000000",
    "10us, 10000",
    "10µs, 10000",
    "7ns, 7",
    "+2m, 120000000000",
    "-2s, -2000000000"
  })
  void parsesGoDurations(String text, long nanos) {
    assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "30", "s", "-", "1x", "1.s.", "5 minutes", "1m 2s", "1s2", ".s", "1d", "abc"})
  void rejectsAnythingElseQuotingTheText(String text) {
    assertThatThrownBy(() -> GoDuration.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"" + text + "\" is not a duration (expected e.g. 500ms, 30s, 1m30s or 72h)");
  }

  @Test
  void rejectsWhatDoesNotFitALong() {
    assertThatThrownBy(() -> GoDuration.parse("9999999999999h")).hasMessage("\"9999999999999h\" is too large a duration");
  }

  @Test
  void nonNegativeRejectsASign() {
    assertThat(GoDuration.parseNonNegative("0")).isZero();
    assertThatThrownBy(() -> GoDuration.parseNonNegative("-1s")).hasMessage("\"-1s\" must not be negative");
  }

  @Test
  void daysAndYearsOnlyWhereKumaTakesThem() {
    assertThat(GoDuration.parseWithDays("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(GoDuration.parseWithDays("10y")).isEqualTo(Duration.ofDays(3650));
    assertThat(GoDuration.parseWithDays("1d12h")).isEqualTo(Duration.ofHours(36));
    assertThatThrownBy(() -> GoDuration.parseWithDays("1w")).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "1000000000, 1s",
    "500000000, 500ms",
    "60000000000, 1m0s",
    "90000000000, 1m30s",
    "3600000000000, 1h0m0s",
    "259200000000000, 72h0m0s",
    "1500000000, 1.5s",
    "1500, 1.5µs",
    "7, 7ns",
    "-30000000000, -30s"
  })
  void formatsLikeGo(long nanos, String text) {
    assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
  }
}
