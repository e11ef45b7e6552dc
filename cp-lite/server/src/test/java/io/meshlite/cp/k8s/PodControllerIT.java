package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.k8s.MockApiServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod controller against fabric8's mock API server in CRUD mode: namespaces, Services and pods
 * created with the Kubernetes client, Dataplanes read back through the Kubernetes store.
 */
class PodControllerIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private MockApiServer api;
  private KubernetesStore store;
  private KubernetesClient kube;
  private PodController controller;

  @BeforeEach
  void start() {
    api = MockApiServer.start();
    store = KubernetesStore.open(api.config(), "kuma-system", Clock.systemUTC());
    kube = store.client();
    store.create(new Resource(ResourceTypes.MESH_TYPE, "", "default", ResourceMeta.draft(Map.of()), Json.mapper().createObjectNode()));
    kube.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("kuma.io/sidecar-injection", "enabled").endMetadata().build())
        .create();
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.stop();
    }
    store.close();
    api.close();
  }

  private void startController() throws Exception {
    controller = new PodController(kube, store);
    controller.start();
  }

  private static Pod meshedPod(String name, String ip) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("shop")
            .addToLabels("app", "web")
            .addToAnnotations("kuma.io/sidecar-injected", "true")
            .addToAnnotations("kuma.io/transparent-proxying", "enabled")
            .addToAnnotations("kuma.io/transparent-proxying-inbound-port", "15006")
            .addToAnnotations("kuma.io/transparent-proxying-outbound-port", "15001")
            .endMetadata()
            .withNewSpec()
            .addNewContainer().withName("kuma-sidecar").withImage("kuma/kuma-dp").endContainer()
            .addNewContainer().withName("web").withImage("nginx").addNewPort().withContainerPort(8080).withName("http").endPort().endContainer()
            .endSpec();
    if (ip != null) {
      b.withNewStatus().withPodIP(ip).endStatus();
    }
    return b.build();
  }

  private static Service service(String name, int port, String targetPortName, Map<String, String> annotations) {
    return new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace("shop").withAnnotations(annotations).endMetadata()
        .withNewSpec()
        .withSelector(Map.of("app", "web"))
        .addNewPort().withPort(port).withNewTargetPort(targetPortName).endPort()
        .endSpec()
        .build();
  }

  private Optional<Resource> dataplane(String name) {
    return store.get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", name));
  }

  /** The Dataplane, or an assertion failure (so that await() keeps waiting). */
  private Resource dp(String name) {
    return dataplane(name).orElseThrow(() -> new AssertionError("no Dataplane " + name + " yet"));
  }

  private static List<String> services(Resource dp) {
    List<String> out = new ArrayList<>();
    for (JsonNode in : dp.spec().at("/networking/inbound")) {
      out.add(in.at("/tags/kuma.io~1service").asText() + ":" + in.path("port").asInt() + ":" + in.at("/tags/kuma.io~1protocol").asText());
    }
    return out;
  }

  @Test
  void aMeshedPodGetsItsDataplaneWhichFollowsServicesAndGoesWithThePod() throws Exception {
    kube.services().resource(service("web", 80, "http", Map.of("80.service.kuma.io/protocol", "http"))).create();
    kube.pods().resource(meshedPod("web-1", "10.244.0.5")).create();
    startController();

    await().atMost(WAIT).untilAsserted(() -> {
      Resource dp = dp("web-1.shop");
      assertThat(dp.spec().at("/networking/address").asText()).isEqualTo("10.244.0.5");
      assertThat(services(dp)).containsExactly("web_shop_svc_80:8080:http");
      assertThat(dp.spec().at("/networking/transparentProxying/redirectPortInbound").asInt()).isEqualTo(15006);
      assertThat(dp.meta().labels()).containsEntry("k8s.kuma.io/namespace", "shop");
    });
    // What kubectl shows: the Dataplane in the pod's namespace, named after the pod.
    assertThat(
            kube.genericKubernetesResources("kuma.io/v1alpha1", "Dataplane").inNamespace("shop").withName("web-1").get())
        .isNotNull();

    // A second Service selecting the pod adds an inbound.
    kube.services().resource(service("web-admin", 9000, "http", Map.of())).create();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(services(dp("web-1.shop")))
            .containsExactlyInAnyOrder("web_shop_svc_80:8080:http", "web-admin_shop_svc_9000:8080:tcp"));

    // The protocol annotation of a Service changes the inbound's protocol.
    Service web = kube.services().inNamespace("shop").withName("web").get();
    web.getMetadata().setAnnotations(Map.of("80.service.kuma.io/protocol", "grpc"));
    kube.services().resource(web).update();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(services(dp("web-1.shop"))).contains("web_shop_svc_80:8080:grpc"));

    kube.pods().inNamespace("shop").withName("web-1").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(dataplane("web-1.shop")).isEmpty());
  }

  @Test
  void aPodGetsItsDataplaneOnceItHasAnIpAndAPodWithoutSidecarGetsNone() throws Exception {
    startController();
    kube.pods().resource(meshedPod("late", null)).create();
    Pod plain = meshedPod("plain", "10.244.0.9");
    plain.getMetadata().setAnnotations(Map.of());
    kube.pods().resource(plain).create();

    Pod late = kube.pods().inNamespace("shop").withName("late").get();
    late.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("10.244.0.7").build());
    kube.pods().resource(late).update();

    await().atMost(WAIT).untilAsserted(() -> {
      Resource dp = dp("late.shop");
      assertThat(dp.spec().at("/networking/address").asText()).isEqualTo("10.244.0.7");
      // No Service: the serviceless inbound, named after the pod (it has no owner).
      assertThat(services(dp)).containsExactly("late_shop_svc:49151:tcp");
    });
    assertThat(dataplane("plain.shop")).isEmpty();
  }

  @Test
  void dataplanesOfPodsThatWentAwayWhileTheControllerWasDownAreDeletedAtStart() throws Exception {
    kube.pods().resource(meshedPod("alive", "10.244.0.2")).create();
    Resource orphan =
        new Resource(
            ResourceTypes.DATAPLANE,
            "default",
            "gone.shop",
            ResourceMeta.draft(Map.of("k8s.kuma.io/namespace", "shop", "kuma.io/proxy-type", "sidecar")),
            (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.mapper().readTree("{\"networking\":{\"address\":\"10.244.0.3\",\"inbound\":[{\"port\":49151,\"tags\":{\"kuma.io/service\":\"gone_shop_svc\"}}]}}"));
    store.create(orphan);
    Resource foreign = orphan.withMeta(ResourceMeta.draft(Map.of()));
    store.create(new Resource(ResourceTypes.DATAPLANE, "default", "vm-1.shop", foreign.meta(), foreign.spec()));

    startController();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(dataplane("gone.shop")).isEmpty();
      assertThat(dataplane("alive.shop")).isPresent();
    });
    // Dataplanes the controller did not make are not its business.
    assertThat(dataplane("vm-1.shop")).isPresent();
  }
}
