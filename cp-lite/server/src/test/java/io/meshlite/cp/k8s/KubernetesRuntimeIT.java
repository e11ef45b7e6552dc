package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.config.CpConfigLoader;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.k8s.MockApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes mode as the API server sees it: the admission server over HTTPS with the certificate
 * from {@code certDir}, answering an AdmissionReview for a pod of a labelled namespace; the patched
 * pod, once running with an IP, gets its Dataplane from the pod controller.
 */
class KubernetesRuntimeIT {
  @TempDir Path dir;

  private MockApiServer api;
  private KubernetesStore store;
  private KubernetesRuntime runtime;
  private TestCerts certs;

  @BeforeEach
  void start() throws Exception {
    api = MockApiServer.start();
    store = KubernetesStore.open(api.config(), "kuma-system", Clock.systemUTC());
    store.create(new Resource(ResourceTypes.MESH_TYPE, "", "default", ResourceMeta.draft(Map.of()), Json.mapper().createObjectNode()));
    certs = TestCerts.create();
    certs.writeTo(dir.resolve("tls"));
    CpConfig config =
        CpConfigLoader.load(
            Optional.empty(),
            Map.of(
                "HOME", dir.toString(),
                "KUMA_ENVIRONMENT", "kubernetes",
                "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS", "127.0.0.1",
                "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", "0",
                "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR", dir.resolve("tls").toString(),
                "KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE", dir.resolve("tls/ca.crt").toString(),
                "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE", "registry.local/kuma-dp:test"));
    runtime = new KubernetesRuntime(config, store);
    runtime.start();
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.stop();
    }
    store.close();
    api.close();
  }

  private HttpResponse<String> post(HttpClient http, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + runtime.webhooks().port() + "/inject-sidecar"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPodAdmittedThroughTheWebhookIsInjectedAndGetsItsDataplane() throws Exception {
    KubernetesClient kube = store.client();
    kube.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("kuma.io/sidecar-injection", "enabled").endMetadata().build())
        .create();
    kube.services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).addNewPort().withPort(80).withNewTargetPort(8080).withAppProtocol("http").endPort().endSpec()
                .build())
        .create();
    Pod pod =
        new PodBuilder()
            .withNewMetadata().withName("web-1").withNamespace("shop").addToLabels("app", "web").endMetadata()
            .withNewSpec().withServiceAccountName("web")
            .addNewContainer().withName("web").withImage("nginx").addNewPort().withContainerPort(8080).endPort().endContainer()
            .endSpec()
            .build();
    ObjectNode review = Json.mapper().createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "rev-1").put("namespace", "shop").put("operation", "CREATE");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", Json.mapper().readTree(Serialization.asJson(pod)));

    HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    HttpResponse<String> res = post(http, review.toString());

    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode out = Json.mapper().readTree(res.body());
    assertThat(out.at("/response/uid").asText()).isEqualTo("rev-1");
    assertThat(out.at("/response/allowed").asBoolean()).isTrue();
    JsonNode patched = JsonPatch.apply(AdmissionHandler.patchOf(out), request.get("object"));
    Pod injected = Serialization.unmarshal(patched.toString(), Pod.class);
    assertThat(injected.getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/kuma-dp:test");
    assertThat(injected.getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("KUMA_CONTROL_PLANE_CA_CERT");
          assertThat(e.getValue()).startsWith("-----BEGIN CERTIFICATE-----");
        })
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("KUMA_CONTROL_PLANE_URL");
          assertThat(e.getValue()).isEqualTo("https://kuma-control-plane.kuma-system:5678");
        });

    // The kubelet runs it and reports its IP.
    injected.setStatus(new PodStatusBuilder().withPodIP("10.244.0.12").build());
    kube.pods().resource(injected).create();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      Resource dp =
          store.get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "web-1.shop"))
              .orElseThrow(() -> new AssertionError("no Dataplane yet"));
      assertThat(dp.spec().at("/networking/address").asText()).isEqualTo("10.244.0.12");
      assertThat(dp.spec().at("/networking/inbound/0/tags/kuma.io~1service").asText()).isEqualTo("web_shop_svc_80");
      assertThat(dp.spec().at("/networking/transparentProxying/redirectPortOutbound").asInt()).isEqualTo(15001);
    });
  }

  @Test
  void aClientThatDoesNotTrustTheCaIsRefused() {
    HttpClient http = HttpClient.newHttpClient();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> post(http, "{}"))
        .isInstanceOf(SSLHandshakeException.class)
        .hasStackTraceContaining("unable to find valid certification path");
  }

  @Test
  void aBodyThatIsNotAnAdmissionReviewIsABadRequest() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext()).build();

    assertThat(post(http, "{\"kind\":\"Pod\"}").statusCode()).isEqualTo(400);
    assertThat(post(http, "not json").statusCode()).isEqualTo(400);
  }
}
