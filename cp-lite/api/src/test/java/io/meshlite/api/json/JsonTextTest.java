package io.meshlite.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTextTest {

  @Test
  @SuppressWarnings("unchecked")
  void readsEveryKindOfValue() {
    Object v = JsonText.parse(
        " {\"s\": \"a\\\"b\\\\c\\/\\n\\t\\u00e9\\ud83d\\ude00\", \"i\": -42, \"big\": 123456789012345678901,"
            + " \"d\": 1.5e3, \"t\": true, \"f\": false, \"n\": null, \"a\": [1, [], {}], \"o\": {\"k\": \"v\"}}\n");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "a\"b\\c/\n\té\uD83D\uDE00");
    m.put("i", -42L);
    m.put("big", new BigDecimal("123456789012345678901"));
    m.put("d", new BigDecimal("1.5e3"));
    m.put("t", true);
    m.put("f", false);
    m.put("n", null);
    m.put("a", List.of(1L, List.of(), Map.of()));
    m.put("o", Map.of("k", "v"));
    assertThat(v).isEqualTo(m);
    assertThat(String.join(",", ((Map<String, ?>) v).keySet())).isEqualTo("s,i,big,d,t,f,n,a,o");
  }

  @Test
  void writesWhatJacksonReadsBackUnchanged() throws Exception {
    String doc = "{\"a\":[1,-2.5,1e-7,\"x\\u0001y\",null,true],\"b\":{\"c\":\"\\\"q\\\"\\\\\"},"
        + "\"e\":\"line\\nbreak\\ttab\\r\\b\\f\",\"u\":\"é😀\"}";
    String written = JsonText.write(JsonText.parse(doc));
    JsonNode expected = Json.mapper().readTree(doc);
    assertThat(Json.mapper().readTree(written)).isEqualTo(expected);
    assertThat(written).doesNotContain("\u0001");
  }

  @Test
  void writesBytesAsBase64AndRefusesWhatJsonCannotHold() {
    assertThat(JsonText.write(Map.of("b", new byte[] {1, 2, 3}))).isEqualTo("{\"b\":\"AQID\"}");
    assertThat(JsonText.write(List.of(1, 2L, 0.5))).isEqualTo("[1,2,0.5]");
    assertThatThrownBy(() -> JsonText.write(Double.NaN)).hasMessageContaining("not a JSON number");
    assertThatThrownBy(() -> JsonText.write(Map.of(1, "x"))).hasMessageContaining("keys must be strings");
    assertThatThrownBy(() -> JsonText.write(new Object())).hasMessageContaining("cannot write");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"a\":1,\"a\":2}|line 1, column 8: duplicate field \"a\"",
        "{\"a\":1}x|line 1, column 8: unexpected 'x' after the document",
        "[1,2|line 1, column 5: unexpected end of the document",
        "{\"a\" 1}|line 1, column 6: expected ':'",
        "\"abc|line 1, column 5: unterminated string",
        "\"a\\qb\"|line 1, column 4: bad escape '\\q'",
        "[01]|line 1, column 3: expected ',' or ']'",
        "[1.]|line 1, column 4: bad number: digits must follow '.'",
        "{\"a\":tru}|line 1, column 6: unexpected 't'",
        "'a'|line 1, column 1: unexpected '''",
        "{a:1}|line 1, column 2: expected a quoted field name",
        "|line 1, column 1: unexpected end of the document",
      })
  void namesWhereADocumentGoesWrong(String doc, String message) {
    assertThatThrownBy(() -> JsonText.parse(doc == null ? "" : doc))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void countsLinesForTheErrorPosition() {
    assertThatThrownBy(() -> JsonText.parse("{\n  \"a\": 1,\n  \"b\": ]\n}"))
        .hasMessage("line 3, column 8: unexpected ']'");
  }

  @Test
  void refusesControlCharactersInStringsAndDeepNesting() {
    assertThatThrownBy(() -> JsonText.parse("\"a\nb\"")).hasMessageContaining("control character");
    String deep = "[".repeat(JsonText.MAX_DEPTH + 1) + "]".repeat(JsonText.MAX_DEPTH + 1);
    assertThatThrownBy(() -> JsonText.parse(deep)).hasMessageContaining("nested deeper than");
    String ok = "[".repeat(JsonText.MAX_DEPTH) + "]".repeat(JsonText.MAX_DEPTH);
    assertThat(JsonText.parse(ok)).isInstanceOf(List.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "9223372036854775807", "-9223372036854775808"})
  void keepsIntegersThatFitALongAsLongs(String n) {
    assertThat(JsonText.parse(n)).isEqualTo(Long.parseLong(n));
  }

  @Test
  void parseObjectRefusesOtherKinds() {
    assertThatThrownBy(() -> JsonText.parseObject("[1]")).hasMessage("expected a JSON object, found array");
    assertThat(JsonText.kind("x")).isEqualTo("string");
  }
}
