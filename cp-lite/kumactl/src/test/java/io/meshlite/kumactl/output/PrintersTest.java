package io.meshlite.kumactl.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.resource.Json;
import org.junit.jupiter.api.Test;

class PrintersTest {
  @Test
  void jsonIsIndentedLikeGo() throws Exception {
    String s = Printers.json(Json.mapper().readTree("{\"b\":1,\"a\":[],\"c\":{},\"d\":[1,{\"x\":null}]}"));

    assertThat(s)
        .isEqualTo(
            """
            {
              "b": 1,
              "a": [],
              "c": {},
              "d": [
                1,
                {
                  "x": null
                }
              ]
            }
            """);
  }

  @Test
  void yamlSortsKeysAndQuotesWhatYaml11WouldMisread() throws Exception {
    String s =
        Printers.yaml(
            Json.mapper()
                .readTree(
                    "{\"type\":\"Mesh\",\"name\":\"on\",\"creationTime\":\"2026-08-20T11:58:00Z\",\"port\":\"8080\",\"next\":null}"));

    assertThat(s)
        .isEqualTo(
            """
            creationTime: "2026-08-20T11:58:00Z"
            name: "on"
            next: null
            port: "8080"
            type: Mesh
            """);
  }
}
