package io.meshlite.cp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
    "10us, 10000",
    "10µs, 10000",
    "7ns, 7",
    "+2m, 120000000000"
  })
  void parsesGoDurations(String text, long nanos) {
    assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "s", "-1s", "1x", "1.s.", "5 minutes", "1s2", ".s", "9999999999999h"})
  void rejectsAnythingElse(String text) {
    assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"0, 0s", "1000000000, 1s", "500000000, 500ms", "90000000000, 1m30s", "259200000000000, 72h0m0s", "1500, 1.5µs"})
  void formatsLikeGo(long nanos, String text) {
    assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
  }
}
