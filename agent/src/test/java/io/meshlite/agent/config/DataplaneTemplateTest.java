package io.meshlite.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DataplaneTemplateTest {

  @Test
  void fillsBothPlaceholderStyles() {
    assertThat(DataplaneTemplate.render("a: {{ x }}\nb: {{.y}}\nc: {{ a.b }}", Map.of("x", "1", "y", "2", "a.b", "$3")))
        .isEqualTo("a: 1\nb: 2\nc: $3");
  }

  @Test
  void namesEveryMissingVariable() {
    assertThatThrownBy(() -> DataplaneTemplate.render("{{ b }} {{ a }}", Map.of()))
        .hasMessageContaining("a, b")
        .hasMessageContaining("--dataplane-var a=...");
  }
}
