package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.xds.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AdmissionReviews in ({@code golden/k8s/injector/<case>.input.yaml}: the review and the pod's
 * Namespace), the response with its JSONPatch decoded out ({@code <case>.golden.yaml}). Every patch
 * is also applied to its pod, and the result must be a valid Pod.
 */
class SidecarInjectionGoldenTest {
  private static final String DIR = "k8s/injector/";
  private static final String CP_URL = "https://kuma-control-plane.kuma-system:5678";

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/golden", DIR))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".input.yaml"))
          .map(n -> n.substring(0, n.length() - ".input.yaml".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  private static JsonNode input(String name) throws IOException {
    return Json.yaml().readTree(Golden.read(DIR + name + ".input.yaml"));
  }

  private static ObjectNode review(JsonNode input) {
    JsonNode ns = input.get("namespace");
    AdmissionHandler handler =
        new AdmissionHandler(
            new SidecarInjector(InjectorSettings.defaults(CP_URL), Set.of("default", "payments", "demo")::contains),
            n -> n.equals(ns.path("name").asText()) ? Optional.of(ns) : Optional.empty());
    return handler.review(input.get("review"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void responseMatchesGoldenAndThePatchYieldsAValidPod(String name) throws IOException {
    JsonNode input = input(name);
    ObjectNode out = review(input);

    assertThat(out.at("/response/uid").asText()).isEqualTo(input.at("/review/request/uid").asText());
    ObjectNode shown = ((ObjectNode) out.get("response")).deepCopy();
    JsonNode patch = AdmissionHandler.patchOf(out);
    if (shown.has("patch")) {
      shown.set("patch", patch);
    }
    Golden.assertMatches(DIR + name + ".golden.yaml", Golden.yaml(shown));

    if (!patch.isEmpty()) {
      JsonNode patched = JsonPatch.apply(patch, input.at("/review/request/object"));
      Pod pod = Serialization.unmarshal(patched.toString(), Pod.class);
      assertThat(pod.getSpec().getContainers().get(0).getName()).isEqualTo("kuma-sidecar");
      assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).contains("kuma-init");
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("kuma.io/sidecar-injected", "true");
    }
  }

  @Test
  void aNamespaceLabelledPodGetsKumaInitAndTheSidecarWithKumasSettings() throws IOException {
    JsonNode input = input("01-namespace-label");
    Pod pod = patchedPod(input);

    Container init = single(pod.getSpec().getInitContainers(), "kuma-init");
    assertThat(init.getCommand()).containsExactly("/usr/bin/kumactl", "install", "transparent-proxy");
    assertThat(init.getArgs())
        .containsSubsequence("--redirect-outbound-port", "15001")
        .containsSubsequence("--redirect-inbound-port", "15006")
        .containsSubsequence("--kuma-dp-user", "5678")
        .contains("--redirect-inbound=true");
    assertThat(init.getSecurityContext().getRunAsUser()).isZero();
    assertThat(init.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN", "NET_RAW");
    assertThat(init.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .contains(org.assertj.core.groups.Tuple.tuple("XTABLES_LOCKFILE", "/tmp/xtables.lock"));

    Container dp = pod.getSpec().getContainers().get(0);
    Map<String, EnvVar> env = dp.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("KUMA_CONTROL_PLANE_URL").getValue()).isEqualTo(CP_URL);
    assertThat(env.get("KUMA_DATAPLANE_MESH").getValue()).isEqualTo("default");
    assertThat(env.get("KUMA_DATAPLANE_NAME").getValue()).isEqualTo("$(POD_NAME).$(POD_NAMESPACE)");
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(env.get("KUMA_DATAPLANE_RUNTIME_TOKEN_PATH").getValue())
        .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount/token");
    assertThat(dp.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(dp.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9902);
    assertThat(dp.getSecurityContext().getRunAsUser()).isEqualTo(5678L);
    // The token the sidecar authenticates with is mounted into it as into the app.
    assertThat(dp.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount"));
    assertThat(pod.getMetadata().getLabels()).containsEntry("kuma.io/mesh", "default");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("kuma.io/sidecar-injected", "true")
        .containsEntry("kuma.io/transparent-proxying", "enabled")
        .containsEntry("kubectl.kubernetes.io/default-container", "web");
  }

  @Test
  void podAnnotationsChooseMeshPortsAndExclusions() throws IOException {
    Pod pod = patchedPod(input("02-pod-annotation-custom-ports"));

    Container init = single(pod.getSpec().getInitContainers(), "kuma-init");
    assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("migrate", "kuma-init");
    assertThat(init.getArgs())
        .containsSubsequence("--redirect-outbound-port", "15011")
        .containsSubsequence("--redirect-inbound-port", "15016")
        .containsSubsequence("--exclude-inbound-ports", "1234,5678,9902")
        .containsSubsequence("--exclude-outbound-ports", "4321")
        .containsSubsequence("--exclude-outbound-ips", "10.0.0.0/8,192.168.1.1")
        .containsSubsequence("--exclude-outbound-ports-for-uids", "tcp:*:1001", "--exclude-outbound-ports-for-uids", "53:1002")
        .containsSubsequence("--ip-family-mode", "ipv4");
    Map<String, String> env =
        pod.getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("KUMA_DATAPLANE_MESH", "payments");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("kuma.io/envoy-admin-port", "9911");
  }

  @Test
  void aMissingMeshIsRefusedWithAMessage() throws IOException {
    ObjectNode out = review(input("07-missing-mesh"));

    assertThat(out.at("/response/allowed").asBoolean()).isFalse();
    assertThat(out.at("/response/status/message").asText()).contains("mesh \"nope\" does not exist");
  }

  @Test
  void theSidecarGetsItsServiceAccountTokenFromTheVolumeTheAnnotationNames() throws IOException {
    Pod pod = patchedPod(input("10-token-volume-annotation"));

    Container dp = pod.getSpec().getContainers().get(0);
    assertThat(dp.getVolumeMounts())
        .anySatisfy(m -> {
          assertThat(m.getName()).isEqualTo("kuma-token");
          assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
          assertThat(m.getReadOnly()).isTrue();
        });
    assertThat(dp.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .contains(org.assertj.core.groups.Tuple.tuple(
            "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
    // The app container is left as it was: no token where the pod asked for none.
    assertThat(single(pod.getSpec().getContainers(), "batch").getVolumeMounts()).isEmpty();
  }

  @Test
  void anAnnotationNamingAMissingTokenVolumeIsRefused() throws IOException {
    ObjectNode out = review(input("11-token-volume-missing"));

    assertThat(out.at("/response/allowed").asBoolean()).isFalse();
    assertThat(out.at("/response/status/message").asText())
        .contains("kuma.io/service-account-token-volume: volume \"kuma-tokn\" does not exist in the pod");
  }

  private static Pod patchedPod(JsonNode input) {
    ObjectNode out = review(input);
    assertThat(out.at("/response/allowed").asBoolean()).isTrue();
    assertThat(out.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patched = JsonPatch.apply(AdmissionHandler.patchOf(out), input.at("/review/request/object"));
    return Serialization.unmarshal(patched.toString(), Pod.class);
  }

  private static Container single(List<Container> cs, String name) {
    return cs.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }
}
