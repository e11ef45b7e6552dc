package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.k8s.KubernetesStore;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Everything {@code environment: kubernetes} adds to kuma-cp: the admission server with the
 * sidecar injector ({@code /inject-sidecar} on 5443) and the pod → Dataplane controller, both on
 * the Kubernetes store's client. (The dataplane server's {@link ServiceAccountTokenAuthenticator} is
 * wired by kuma-cp wherever the Kubernetes store is used.)
 */
public final class KubernetesRuntime implements Component {
  private final PodController controller;
  private final WebhookServer webhooks;

  /**
   * @throws IllegalArgumentException when the injector's CA file or the webhook certificate
   *     cannot be read
   */
  public KubernetesRuntime(CpConfig config, KubernetesStore store) {
    KubernetesClient client = store.client();
    CpConfig.AdmissionServer admission = config.runtime().kubernetes().admissionServer();
    SidecarInjector injector =
        new SidecarInjector(
            InjectorSettings.from(config),
            mesh -> store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", mesh)).isPresent());
    AdmissionHandler handler = new AdmissionHandler(injector, name -> namespaceMetadata(client, name));
    String host = admission.address().isBlank() ? "0.0.0.0" : admission.address();
    this.webhooks =
        new WebhookServer(
            new InetSocketAddress(host, admission.port()),
            WebhookServer.Tls.resolve(
                admission.certDir(), config.general().tlsCertFile(), config.general().tlsKeyFile()),
            handler);
    this.controller = new PodController(client, store);
  }

  private static Optional<JsonNode> namespaceMetadata(KubernetesClient client, String name) {
    Namespace ns = client.namespaces().withName(name).get();
    return ns == null ? Optional.empty() : Optional.of(Json.mapper().valueToTree(ns.getMetadata()));
  }

  /** The admission server (its {@code port()} is the bound port once started). */
  public WebhookServer webhooks() {
    return webhooks;
  }

  @Override
  public void start() throws Exception {
    controller.start();
    try {
      webhooks.start();
    } catch (RuntimeException e) {
      controller.stop();
      throw e;
    }
  }

  @Override
  public boolean ready() {
    return controller.ready() && webhooks.ready();
  }

  @Override
  public void stop() {
    webhooks.stop();
    controller.stop();
  }

  @Override
  public String toString() {
    return "kubernetes-runtime";
  }
}
