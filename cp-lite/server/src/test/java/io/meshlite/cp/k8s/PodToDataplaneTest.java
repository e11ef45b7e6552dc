package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshlite.api.mesh.Specs;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.xds.testing.Golden;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Pods, their Namespace and Services in ({@code golden/k8s/dataplanes/<case>.input.yaml}), the
 * Dataplane as {@code kumactl get dataplane -o yaml} would show it out ({@code <case>.golden.yaml});
 * every one must pass the Dataplane validation of the REST API.
 */
class PodToDataplaneTest {
  private static final String DIR = "k8s/dataplanes/";

  @ParameterizedTest
  @ValueSource(strings = {"01-services", "02-serviceless", "03-headless"})
  void dataplaneMatchesGolden(String name) throws IOException {
    JsonNode in = Json.yaml().readTree(Golden.read(DIR + name + ".input.yaml"));
    Pod pod = Serialization.unmarshal(in.get("pod").toString(), Pod.class);
    Namespace ns = Serialization.unmarshal(in.get("namespace").toString(), Namespace.class);
    List<Service> services = new ArrayList<>();
    for (JsonNode s : in.get("services")) {
      services.add(Serialization.unmarshal(s.toString(), Service.class));
    }

    Resource dp = PodToDataplane.convert(pod, ns, services).orElseThrow();

    Specs.validate(dp);
    ObjectNode shown = ResourceCodec.toJson(dp);
    shown.remove("creationTime");
    shown.remove("modificationTime");
    Golden.assertMatches(DIR + name + ".golden.yaml", Golden.yaml(shown));
  }

  @Test
  void aPodWithoutAnIpHasNoDataplaneYet() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata().withName("p").withNamespace("ns").withAnnotations(Map.of("kuma.io/sidecar-injected", "true")).endMetadata()
            .withNewSpec().endSpec()
            .withNewStatus().endStatus()
            .build();

    assertThat(PodToDataplane.convert(pod, null, List.of())).isEmpty();
    assertThat(PodToDataplane.meshed(pod)).isTrue();
  }

  @Test
  void transparentProxyingNeedsItsPorts() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata().withName("p").withNamespace("ns")
            .withAnnotations(Map.of("kuma.io/sidecar-injected", "true", "kuma.io/transparent-proxying", "enabled"))
            .endMetadata()
            .withNewSpec().endSpec()
            .withNewStatus().withPodIP("10.0.0.1").endStatus()
            .build();

    assertThatThrownBy(() -> PodToDataplane.convert(pod, null, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kuma.io/transparent-proxying-inbound-port");
  }
}
