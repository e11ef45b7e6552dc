package io.meshlite.api.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.ResourceTypes;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KumaCrdsTest {

  @Test
  void pluralsAndScopesAreKumas() {
    Map<String, KumaCrd> byKind =
        KumaCrds.all().stream().collect(Collectors.toMap(KumaCrd::kind, c -> c));

    // Spot checks against deployments/charts/kuma/crds/kuma.io_<plural>.yaml of Kuma 2.14.
    assertThat(byKind.get("Mesh").plural()).isEqualTo("meshes");
    assertThat(byKind.get("Mesh").namespaced()).isFalse();
    assertThat(byKind.get("Zone").namespaced()).isFalse();
    assertThat(byKind.get("MeshInsight").plural()).isEqualTo("meshinsights");
    assertThat(byKind.get("Dataplane").plural()).isEqualTo("dataplanes");
    assertThat(byKind.get("Dataplane").namespaced()).isTrue();
    assertThat(byKind.get("DataplaneInsight").plural()).isEqualTo("dataplaneinsights");
    assertThat(byKind.get("Retry").plural()).isEqualTo("retries");
    assertThat(byKind.get("MeshRetry").plural()).isEqualTo("meshretries");
    assertThat(byKind.get("MeshTLS").plural()).isEqualTo("meshtlses");
    assertThat(byKind.get("MeshPassthrough").plural()).isEqualTo("meshpassthroughs");
    assertThat(byKind.get("MeshProxyPatch").plural()).isEqualTo("meshproxypatches");
    assertThat(byKind.get("MeshLoadBalancingStrategy").plural()).isEqualTo("meshloadbalancingstrategies");
    assertThat(byKind.get("TrafficPermission").plural()).isEqualTo("trafficpermissions");
    assertThat(byKind.get("MeshTrafficPermission").crdName()).isEqualTo("meshtrafficpermissions.kuma.io");
    assertThat(byKind.get("Secret").nativeSecret()).isTrue();
    assertThat(byKind.get("GlobalSecret").nativeSecret()).isTrue();
    assertThat(KumaCrds.customResources()).hasSize(ResourceTypes.all().size() - 2);
  }

  @Test
  void protoTypesHaveAMeshFieldAndAnOpaqueSpec() {
    ObjectNode crd = KumaCrds.definition(KumaCrds.of(ResourceTypes.DATAPLANE));

    assertThat(crd.at("/metadata/name").asText()).isEqualTo("dataplanes.kuma.io");
    assertThat(crd.at("/spec/group").asText()).isEqualTo("kuma.io");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
    ObjectNode props = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
    assertThat(props.at("/mesh/type").asText()).isEqualTo("string");
    assertThat(props.at("/spec/x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
  }

  @Test
  void pluginTypesKeepTheirSpecWithoutAMeshField() {
    ObjectNode crd = KumaCrds.definition(KumaCrds.of(ResourceTypes.MESH_TRAFFIC_PERMISSION));

    ObjectNode props = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
    assertThat(props.has("mesh")).isFalse();
    assertThat(props.at("/spec/type").asText()).isEqualTo("object");
    assertThat(props.at("/spec/x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
  }

  @Test
  void secretsHaveNoDefinition() {
    assertThatThrownBy(() -> KumaCrds.definition(KumaCrds.of(ResourceTypes.SECRET)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("native Secret");
  }
}
