package io.meshlite.cp.store.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.ResourceTypes;
import org.junit.jupiter.api.Test;

class K8sNamesTest {
  private static final KumaCrd DP = KumaCrds.of(ResourceTypes.DATAPLANE);
  private static final KumaCrd MESH = KumaCrds.of(ResourceTypes.MESH_TYPE);
  private static final KumaCrd SECRET = KumaCrds.of(ResourceTypes.SECRET);

  @Test
  void kumasNameDotNamespaceIsThatObjectInThatNamespace() {
    assertThat(K8sNames.locate(DP, "default", "web-1.shop", "kuma-system"))
        .isEqualTo(new K8sNames.Location("shop", "web-1", false));
    assertThat(K8sNames.locate(DP, "default", "web.v1.shop", "kuma-system"))
        .isEqualTo(new K8sNames.Location("shop", "web.v1", false));
    assertThat(K8sNames.coreName(DP, "web-1", "shop")).isEqualTo("web-1.shop");
  }

  @Test
  void otherNamesGetAStableGeneratedNameInTheSystemNamespace() {
    K8sNames.Location a = K8sNames.locate(DP, "a", "dp-1", "kuma-system");
    K8sNames.Location b = K8sNames.locate(DP, "b", "dp-1", "kuma-system");
    K8sNames.Location odd = K8sNames.locate(DP, "a", "Web_Front.End!", "kuma-system");

    assertThat(a.namespace()).isEqualTo("kuma-system");
    assertThat(a.generated()).isTrue();
    assertThat(a.name()).startsWith("dp-1-").isNotEqualTo(b.name());
    assertThat(K8sNames.locate(DP, "a", "dp-1", "kuma-system")).isEqualTo(a);
    assertThat(odd.name()).matches("web-front-end-[0-9a-f]{8}");
    assertThat(K8sNames.validName(odd.name())).isTrue();
    assertThat(K8sNames.validName(K8sNames.locate(DP, "a", "x".repeat(300), "kuma-system").name())).isTrue();
  }

  @Test
  void clusterScopedAndSecretNamesAreKeptWhenValid() {
    assertThat(K8sNames.locate(MESH, "", "default", "kuma-system")).isEqualTo(new K8sNames.Location(null, "default", false));
    assertThat(K8sNames.locate(SECRET, "default", "sec-1", "kuma-system")).isEqualTo(new K8sNames.Location("kuma-system", "sec-1", false));
    assertThat(K8sNames.fallback(SECRET, "default", "sec-1", "kuma-system")).hasValueSatisfying(l -> assertThat(l.generated()).isTrue());
    assertThat(K8sNames.fallback(DP, "default", "sec-1", "kuma-system")).isEmpty();
  }

  @Test
  void labelRulesAreKubernetes() {
    assertThat(K8sNames.validLabelKey("kuma.io/mesh")).isTrue();
    assertThat(K8sNames.validLabelKey("app")).isTrue();
    assertThat(K8sNames.validLabelKey("Bad Key")).isFalse();
    assertThat(K8sNames.validLabelKey("/x")).isFalse();
    assertThat(K8sNames.validLabelValue("")).isTrue();
    assertThat(K8sNames.validLabelValue("v1.2_a-b")).isTrue();
    assertThat(K8sNames.validLabelValue("Zürich")).isFalse();
    assertThat(K8sNames.validLabelValue("-x")).isFalse();
    assertThat(K8sNames.validLabelValue("x".repeat(64))).isFalse();
  }
}
