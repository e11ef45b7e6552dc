package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {
  @Test
  void substitutesKumaStylePlaceholders() {
    String out =
        Templates.render(
            "a: {{ address }}\nb: \"{{port}}\"\nc: {{{ var.with.dots }}}\n",
            Map.of("address", "10.0.0.1", "port", "80", "var.with.dots", "x&y"));

    assertThat(out).isEqualTo("a: 10.0.0.1\nb: \"80\"\nc: x&y\n");
  }

  @Test
  void withoutVariablesTheTextIsUntouched() {
    assertThat(Templates.render("a: \"{{ x }}\"", Map.of())).isEqualTo("a: \"{{ x }}\"");
  }

  @Test
  void missingValuesAreNamed() {
    assertThatThrownBy(() -> Templates.render("{{ a }} {{ b }} {{ c }}", Map.of("b", "1")))
        .isInstanceOf(CliException.class)
        .hasMessage("no value for placeholder(s) {{ a }}, {{ c }} (pass -v a=VALUE -v c=VALUE)");
  }

  @Test
  void valuesWithRegexSpecialCharactersAreInsertedVerbatim() {
    assertThat(Templates.render("x: {{ v }}", Map.of("v", "$1\\2"))).isEqualTo("x: $1\\2");
  }
}
