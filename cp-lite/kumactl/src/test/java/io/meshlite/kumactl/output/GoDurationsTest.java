package io.meshlite.kumactl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationsTest {
  @Test
  void parsesGoSyntax() {
    assertThat(GoDurations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDurations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(GoDurations.parse("1m0s")).isEqualTo(Duration.ofMinutes(1));
    assertThat(GoDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDurations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDurations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void rejectsOtherText() {
    assertThatThrownBy(() -> GoDurations.parse("10")).hasMessageContaining("invalid duration \"10\"");
    assertThatThrownBy(() -> GoDurations.parse("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDurations.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatsLikeGo() {
    assertThat(GoDurations.format(Duration.ofMinutes(1))).isEqualTo("1m0s");
    assertThat(GoDurations.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(GoDurations.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(GoDurations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(GoDurations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }
}
