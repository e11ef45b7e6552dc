package io.meshlite.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.validation.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataplaneResourceTest {

  private static final String DP = """
      type: Dataplane
      mesh: default
      name: web-1
      labels:
        team: payments
      networking:
        address: 127.0.0.1
        inbound:
        - port: 8080
          servicePort: 18080
          tags:
            kuma.io/service: web
            version: "1.0"
      """;

  @Test
  void sendsWhatKumaCpWouldHaveReadFromTheYaml() {
    DataplaneResource r = DataplaneResource.parse(DP);
    assertThat(r.name()).isEqualTo("web-1");
    assertThat(r.mesh()).isEqualTo("default");
    Resource direct = ResourceCodec.parse(DP);
    Resource viaJson = ResourceCodec.parse(r.json());
    assertThat(viaJson.spec()).isEqualTo(direct.spec());
    assertThat(viaJson.meta().labels()).isEqualTo(direct.meta().labels());
    assertThat(viaJson.name()).isEqualTo(direct.name());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "type: Mesh\\nname: default|type: resource type is Mesh (expected: Dataplane)",
        "type: Dataplane\\nmesh: Default\\nname: a|mesh: \"Default\" is not a valid name",
        "type: Dataplane\\nmesh: m\\nname: -a|name: \"-a\" is not a valid name",
        "type: Dataplane\\nmesh: m|name: cannot be empty",
        "type: Dataplane\\nmesh: 7\\nname: a|mesh: must be a string",
        "type: Dataplane\\nmesh: m\\nname: a\\nlabels: {k: {x: 1}}|labels[\"k\"]: label value must be a string",
        "type: Dataplane\\nmesh: m\\nname: a\\nlabels: [x]|labels: must be a mapping of strings",
        "- a\\n- b|a resource must be a mapping with type, name and spec",
        "type: Dataplane\\n---\\ntype: Dataplane|expected exactly one resource, found 2",
        "type: [Dataplane|Could not parse the input: line 1, column 17: ",
      })
  void namesTheFieldOfEveryProblem(String yaml, String message) {
    assertThatThrownBy(() -> DataplaneResource.parse(yaml.replace("\\n", "\n")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(message);
  }
}
