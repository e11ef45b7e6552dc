package io.meshlite.kumactl.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceTablesTest {
  private static final Instant NOW = Instant.parse("2026-08-20T12:00:00Z");

  @Test
  void dataplaneTagsMergeValuesPerKey() throws Exception {
    JsonNode net =
        Json.mapper()
            .readTree(
                """
                {"inbound":[{"tags":{"kuma.io/service":"mobile","version":"v1"}},
                            {"tags":{"kuma.io/service":"metrics","version":"v1"}}]}
                """);

    assertThat(ResourceTables.dataplaneTags(net)).isEqualTo("kuma.io/service=metrics,mobile version=v1");
  }

  @Test
  void externalServicesShowTagsAndAddress() throws Exception {
    JsonNode es =
        Json.mapper()
            .readTree(
                """
                {"type":"ExternalService","mesh":"default","name":"httpbin","modificationTime":"2026-08-20T11:00:00Z",
                 "networking":{"address":"httpbin.org:443"},"tags":{"kuma.io/service":"httpbin","kuma.io/protocol":"http"}}
                """);

    String s = ResourceTables.of(ResourceTypes.byName("ExternalService").orElseThrow(), List.of(es), NOW).render();

    assertThat(s)
        .isEqualTo(
            "MESH      NAME      TAGS                                            ADDRESS           AGE\n"
                + "default   httpbin   kuma.io/protocol=http kuma.io/service=httpbin   httpbin.org:443   1h\n");
  }

  @Test
  void meshWithUnknownTimeSaysSo() throws Exception {
    JsonNode m = Json.mapper().readTree("{\"type\":\"Mesh\",\"name\":\"x\"}");

    assertThat(ResourceTables.of(ResourceTypes.MESH_TYPE, List.of(m), NOW).render())
        .isEqualTo("NAME   mTLS   LOCALITY   ZONEEGRESS   AGE\nx      off    off        off          unknown\n");
  }
}
