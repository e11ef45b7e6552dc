package io.meshlite.iptables.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniYamlTest {

  @Test
  void nestedMappingsSequencesAndScalars() {
    Object doc =
        MiniYaml.parse(
            """
            ---
            a: 1
            b:
              c: 'it''s'
              d: "x\\ty"
              e:
                - one
                - two # comment
              f: [1, "2", three]
              g: {}
            h:
            - k: v
              l: w
            i: url#not-a-comment
            """);
    assertThat(doc)
        .isEqualTo(
            Map.of(
                "a", "1",
                "b",
                    Map.of(
                        "c", "it's",
                        "d", "x\ty",
                        "e", List.of("one", "two"),
                        "f", List.of("1", "2", "three"),
                        "g", Map.of()),
                "h", List.of(Map.of("k", "v", "l", "w")),
                "i", "url#not-a-comment"));
  }

  @Test
  void emptyDocumentIsNull() {
    assertThat(MiniYaml.parse("# only a comment\n")).isNull();
  }

  @Test
  void errorsNameTheLine() {
    assertThatThrownBy(() -> MiniYaml.parse("a: 1\n  b: 2\n"))
        .hasMessage("line 2: unexpected indentation");
    assertThatThrownBy(() -> MiniYaml.parse("a: 1\na: 2\n"))
        .hasMessage("line 2: duplicate key 'a'");
    assertThatThrownBy(() -> MiniYaml.parse("a: &x 1\n"))
        .hasMessage("line 1: anchors, aliases and tags are not supported");
    assertThatThrownBy(() -> MiniYaml.parse("a:\n\t- b\n"))
        .hasMessage("line 2: tabs are not allowed for indentation");
  }
}
