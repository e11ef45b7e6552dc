package io.meshlite.kumactl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgesTest {
  @Test
  void durationsAreCoarseLikeKuma() {
    assertThat(Ages.duration(Duration.ofSeconds(-5))).isEqualTo("never");
    assertThat(Ages.duration(Duration.ofMillis(-500))).isEqualTo("0s");
    assertThat(Ages.duration(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(Ages.duration(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(Ages.duration(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59m");
    assertThat(Ages.duration(Duration.ofHours(23))).isEqualTo("23h");
    assertThat(Ages.duration(Duration.ofDays(364))).isEqualTo("364d");
    assertThat(Ages.duration(Duration.ofDays(800))).isEqualTo("2y");
  }

  @Test
  void agoAndDateCells() {
    Instant now = Instant.parse("2026-08-20T12:00:00Z");
    assertThat(Ages.ago(Optional.empty(), now)).isEqualTo("never");
    assertThat(Ages.ago(Ages.parse("2026-08-20T11:00:00.123456Z"), now)).isEqualTo("59m");
    assertThat(Ages.ago(Ages.parse("2026-08-20T13:30:00+02:00"), now)).isEqualTo("30m");
    assertThat(Ages.date(Ages.parse("2026-08-21T10:00:00Z"), ZoneOffset.UTC)).isEqualTo("2026-08-21 10:00:00");
    assertThat(Ages.date(Ages.parse("garbage"), ZoneOffset.UTC)).isEqualTo("-");
  }
}
