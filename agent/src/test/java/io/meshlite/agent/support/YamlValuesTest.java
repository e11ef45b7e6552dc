package io.meshlite.agent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.json.JsonText;
import io.meshlite.api.resource.Json;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlValuesTest {

  @Test
  void resolvesScalarsAsKumaCpsJacksonMapperDoes() throws Exception {
    String doc = """
        s: plain text
        q: "8080"
        sq: 'true'
        i: 8080
        neg: -3
        f: 1.5
        e: 1e3
        t: true
        T: True
        n: null
        tilde: ~
        yes11: yes
        on11: On
        off11: off
        y: y
        date: 2001-12-14
        o: 0o17
        octal: 017
        hex: -0x1F
        bin: 0b101
        under: 1_000
        dot: .5
        plus: +1.5
        tagged: !!str 42
        list: [a, 1, false]
        nested: {k: v}
        block: |
          two
          lines
        """;
    Object ours = YamlValues.readOne(doc);
    JsonNode jackson = Json.yaml().readTree(doc);
    assertThat(Json.mapper().readTree(JsonText.write(ours))).isEqualTo(jackson);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) ours;
    assertThat(m.get("i")).isEqualTo(8080L);
    assertThat(m.get("f")).isEqualTo(new BigDecimal("1.5"));
    assertThat(m.get("q")).isEqualTo("8080");
    assertThat(m.get("yes11")).isEqualTo(true);
    assertThat(m.get("octal")).isEqualTo(15L);
    assertThat(m.get("date")).isEqualTo("2001-12-14");
    assertThat(m.get("tagged")).isEqualTo("42");
    @SuppressWarnings("unchecked")
    Map<String, Object> e = (Map<String, Object>) YamlValues.readOne("empty:\n");
    assertThat(e.get("empty")).isNull();
    assertThat(e).containsKey("empty");
  }

  @Test
  void readsJsonAndEveryDocumentOfAStream() {
    assertThat(JsonText.write(YamlValues.readOne("{\"a\": [1, {\"b\": null}]}"))).isEqualTo("{\"a\":[1,{\"b\":null}]}");
    assertThat(YamlValues.readAll("---\na: 1\n---\n---\nb: 2\n")).hasSize(2);
    assertThatThrownBy(() -> YamlValues.readOne("a: 1\n---\nb: 2\n")).hasMessage("expected exactly one document, found 2");
  }

  @Test
  void namesTheLineAndColumnOfAProblem() {
    assertThatThrownBy(() -> YamlValues.readOne("a: 1\nb: [1, 2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 3, column 1: ");
    assertThatThrownBy(() -> YamlValues.readOne("a: 1\nb:\n  c: 1\n  c: 2\n"))
        .hasMessage("line 4, column 3: duplicate field \"c\"");
    assertThatThrownBy(() -> YamlValues.readOne("? [a, b]\n: 1\n")).hasMessageContaining("a key must be a scalar");
  }

  @Test
  void refusesAliasBombs() {
    StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'z'; c++) {
      y.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        y.append(i == 0 ? "" : ", ").append('*').append(prev);
      }
      y.append("]\n");
      prev = c;
    }
    assertThatThrownBy(() -> YamlValues.readOne(y.toString())).isInstanceOf(IllegalArgumentException.class);
  }
}
