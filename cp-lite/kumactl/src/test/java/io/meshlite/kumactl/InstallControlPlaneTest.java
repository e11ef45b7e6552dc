package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kumactl install control-plane}: the printed YAML is parsed back into fabric8's Kubernetes
 * models (what {@code kubectl apply} would send) and checked.
 */
class InstallControlPlaneTest {
  @TempDir Path home;
  private static List<HasMetadata> defaults;

  /** The output without flags; generated once (it creates two RSA keys). */
  private List<HasMetadata> install() {
    if (defaults == null) {
      defaults = install(new String[0]);
    }
    return defaults;
  }

  private List<HasMetadata> install(String... flags) {
    List<String> args = new ArrayList<>(List.of("install", "control-plane"));
    args.addAll(List.of(flags));
    Cli.Result r = new Cli(home).run(args.toArray(String[]::new));
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("---\n");
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : r.out().split("(?m)^---\n")) {
      if (!doc.isBlank()) {
        out.add(Serialization.unmarshal(doc, HasMetadata.class));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T one(List<HasMetadata> all, Class<T> type) {
    List<HasMetadata> of = all.stream().filter(type::isInstance).toList();
    assertThat(of).as(type.getSimpleName()).hasSize(1);
    return (T) of.get(0);
  }

  @Test
  void printsEveryObjectOfTheControlPlane() {
    List<HasMetadata> all = install();

    assertThat(all.get(0)).isInstanceOf(Namespace.class);
    assertThat(all.get(0).getMetadata().getName()).isEqualTo("kuma-system");
    Map<String, Long> kinds = all.stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));
    assertThat(kinds)
        .containsEntry("CustomResourceDefinition", (long) KumaCrds.customResources().size())
        .containsEntry("ServiceAccount", 1L)
        .containsEntry("ClusterRole", 1L)
        .containsEntry("ClusterRoleBinding", 1L)
        .containsEntry("Role", 1L)
        .containsEntry("RoleBinding", 1L)
        .containsEntry("Secret", 1L)
        .containsEntry("Service", 1L)
        .containsEntry("Deployment", 1L)
        .containsEntry("MutatingWebhookConfiguration", 1L);
    // Namespaced objects all live in the system namespace.
    all.stream()
        .filter(o -> !(o instanceof Namespace || o instanceof CustomResourceDefinition || o instanceof ClusterRole
            || o instanceof ClusterRoleBinding || o instanceof MutatingWebhookConfiguration))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("kuma-system"));
  }

  @Test
  void crdsAreKumasWithStructuralSchemas() {
    List<CustomResourceDefinition> crds =
        install().stream().filter(CustomResourceDefinition.class::isInstance).map(CustomResourceDefinition.class::cast).toList();

    for (KumaCrd expected : KumaCrds.customResources()) {
      CustomResourceDefinition crd =
          crds.stream().filter(c -> c.getMetadata().getName().equals(expected.plural() + ".kuma.io")).findFirst().orElseThrow();
      assertThat(crd.getSpec().getGroup()).isEqualTo("kuma.io");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(expected.kind());
      assertThat(crd.getSpec().getScope()).isEqualTo(expected.namespaced() ? "Namespaced" : "Cluster");
      assertThat(crd.getSpec().getVersions()).singleElement().satisfies(v -> {
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getServed()).isTrue();
        assertThat(v.getStorage()).isTrue();
        assertStructural(v.getSchema().getOpenAPIV3Schema(), crd.getMetadata().getName());
      });
    }
    JSONSchemaProps dp =
        crds.stream().filter(c -> c.getSpec().getNames().getKind().equals("Dataplane")).findFirst().orElseThrow()
            .getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    assertThat(dp.getProperties().get("mesh").getType()).isEqualTo("string");
    assertThat(dp.getProperties().get("spec").getXKubernetesPreserveUnknownFields()).isTrue();
    assertThat(crds.stream().filter(c -> c.getSpec().getNames().getKind().equals("Mesh")).findFirst().orElseThrow().getSpec().getScope())
        .isEqualTo("Cluster");
  }

  /** Every node has a type, or keeps unknown fields (the rule of structural schemas). */
  private static void assertStructural(JSONSchemaProps s, String where) {
    assertThat(s.getType() != null || Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields()))
        .as("%s: a node without type", where)
        .isTrue();
    if (s.getProperties() != null) {
      s.getProperties().forEach((k, v) -> assertStructural(v, where + "." + k));
    }
  }

  @Test
  void theDeploymentRunsKumaCpInKubernetesModeWithKumasPorts() {
    Deployment d = one(install(), Deployment.class);

    assertThat(d.getMetadata().getName()).isEqualTo("kuma-control-plane");
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("kuma-control-plane");
    Container cp = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(cp.getImage()).isEqualTo("docker.io/kumahq/kuma-cp:" + io.meshlite.api.Versions.VERSION);
    assertThat(cp.getArgs()).containsExactly("run", "--log-level=info");
    Map<String, String> env = cp.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("KUMA_ENVIRONMENT", "kubernetes")
        .containsEntry("KUMA_STORE_TYPE", "kubernetes")
        .containsEntry("KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE", "kuma-system")
        .containsEntry("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", "5443")
        .containsEntry("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR", "/var/run/secrets/kuma.io/tls-cert")
        .containsEntry("KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE", "docker.io/kumahq/kuma-dp:" + io.meshlite.api.Versions.VERSION);
    assertThat(cp.getPorts()).extracting(p -> p.getContainerPort()).containsExactlyInAnyOrder(5680, 5681, 5682, 5443, 5678);
    assertThat(cp.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(cp.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(5680);
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("kuma-tls-cert"));
    // The selector selects the pod template.
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void theServiceExposesKumasPortsAndSelectsTheControlPlane() {
    List<HasMetadata> all = install();
    Service s = one(all, Service.class);
    Deployment d = one(all, Deployment.class);

    assertThat(s.getMetadata().getName()).isEqualTo("kuma-control-plane");
    Map<Integer, Integer> ports = s.getSpec().getPorts().stream().collect(Collectors.toMap(ServicePort::getPort, p -> p.getTargetPort().getIntVal()));
    assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of(5680, 5680, 5681, 5681, 5682, 5682, 443, 5443, 5678, 5678));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector());
  }

  @Test
  void rbacLetsKumaCpUseItsResourcesWatchPodsAndReviewTokens() {
    List<HasMetadata> all = install();
    ClusterRole role = one(all, ClusterRole.class);
    ClusterRoleBinding binding = one(all, ClusterRoleBinding.class);

    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo("kuma-control-plane");
      assertThat(s.getNamespace()).isEqualTo("kuma-system");
    });
    assertThat(allows(role.getRules(), "kuma.io", "dataplanes", "update")).isTrue();
    assertThat(allows(role.getRules(), "kuma.io", "meshes", "watch")).isTrue();
    assertThat(allows(role.getRules(), "", "pods", "watch")).isTrue();
    assertThat(allows(role.getRules(), "", "services", "list")).isTrue();
    assertThat(allows(role.getRules(), "authentication.k8s.io", "tokenreviews", "create")).isTrue();
    assertThat(allows(role.getRules(), "", "secrets", "get")).as("secrets only through the namespaced Role").isFalse();
    assertThat(allows(role.getRules(), "", "configmaps", "update")).as("configmaps written only in kuma-system").isFalse();
    assertThat(allows(role.getRules(), "", "pods", "get")).as("the pod of a dataplane, for its ServiceAccount").isTrue();
  }

  @Test
  void theNamespacedRoleLetsKumaCpKeepSecretsAndItsInternalConfigMapsInKumaSystem() {
    List<HasMetadata> all = install();
    Role role = one(all, Role.class);
    RoleBinding binding = one(all, RoleBinding.class);

    assertThat(role.getMetadata().getNamespace()).isEqualTo("kuma-system");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo("kuma-system");
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    for (String verb : List.of("get", "list", "watch", "create", "update", "delete")) {
      assertThat(allows(role.getRules(), "", "configmaps", verb)).as("configmaps " + verb).isTrue();
      assertThat(allows(role.getRules(), "", "secrets", verb)).as("secrets " + verb).isTrue();
    }
  }

  private static boolean allows(List<PolicyRule> rules, String group, String resource, String verb) {
    return rules.stream()
        .anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource) && r.getVerbs().contains(verb));
  }

  @Test
  void theWebhookCallsInjectSidecarAndItsCaBundleVerifiesTheServedCertificate() throws Exception {
    List<HasMetadata> all = install();
    MutatingWebhookConfiguration config = one(all, MutatingWebhookConfiguration.class);
    Secret tls = one(all, Secret.class);

    assertThat(config.getWebhooks()).extracting(MutatingWebhook::getName)
        .containsExactly("namespace-kuma-injector.kuma.io", "pods-kuma-injector.kuma.io");
    for (MutatingWebhook w : config.getWebhooks()) {
      assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/inject-sidecar");
      assertThat(w.getClientConfig().getService().getName()).isEqualTo("kuma-control-plane");
      assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo("kuma-system");
      assertThat(w.getClientConfig().getService().getPort()).isEqualTo(443);
      assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
      assertThat(w.getSideEffects()).isEqualTo("None");
      assertThat(w.getRules()).singleElement().satisfies(r -> {
        assertThat(r.getResources()).containsExactly("pods");
        assertThat(r.getOperations()).containsExactly("CREATE");
      });
    }
    MutatingWebhook byNs = config.getWebhooks().get(0);
    assertThat(byNs.getNamespaceSelector().getMatchExpressions())
        .anySatisfy(e -> {
          assertThat(e.getKey()).isEqualTo("kuma.io/sidecar-injection");
          assertThat(e.getOperator()).isEqualTo("In");
          assertThat(e.getValues()).contains("enabled");
        })
        .anySatisfy(e -> assertThat(e.getValues()).contains("kube-system", "kuma-system"));
    assertThat(config.getWebhooks().get(1).getObjectSelector().getMatchExpressions())
        .anySatisfy(e -> assertThat(e.getKey()).isEqualTo("kuma.io/sidecar-injection"));

    // The CA in the caBundle signed the certificate the admission server serves, for the name the
    // API server dials; the key in the Secret belongs to that certificate.
    assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
    X509Certificate ca = cert(Base64.getDecoder().decode(byNs.getClientConfig().getCaBundle()));
    X509Certificate served = cert(Base64.getDecoder().decode(tls.getData().get("tls.crt")));
    served.verify(ca.getPublicKey());
    served.checkValidity();
    assertThat(cert(Base64.getDecoder().decode(tls.getData().get("ca.crt")))).isEqualTo(ca);
    List<String> sans = served.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
    assertThat(sans).contains("kuma-control-plane.kuma-system.svc", "kuma-control-plane.kuma-system");
    PrivateKey key = privateKey(new String(Base64.getDecoder().decode(tls.getData().get("tls.key")), StandardCharsets.UTF_8));
    Signature sig = Signature.getInstance("SHA256withRSA");
    sig.initSign(key);
    sig.update(new byte[] {1, 2, 3});
    byte[] signed = sig.sign();
    sig.initVerify(served.getPublicKey());
    sig.update(new byte[] {1, 2, 3});
    assertThat(sig.verify(signed)).isTrue();
  }

  @Test
  void flagsChooseNamespaceServiceNameImagesAndExtraVariables() {
    List<HasMetadata> all =
        install(
            "--namespace", "mesh-system",
            "--control-plane-service-name", "mesh-cp",
            "--control-plane-image", "registry.local/kuma-cp:dev",
            "--dataplane-image", "registry.local/kuma-dp:dev",
            "--dataplane-init-image", "registry.local/kuma-init:dev",
            "--env-var", "KUMA_API_SERVER_READ_ONLY=false");

    assertThat(one(all, Namespace.class).getMetadata().getName()).isEqualTo("mesh-system");
    Deployment d = one(all, Deployment.class);
    assertThat(d.getMetadata().getNamespace()).isEqualTo("mesh-system");
    Container cp = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(cp.getImage()).isEqualTo("registry.local/kuma-cp:dev");
    Map<String, String> env = cp.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE", "mesh-system")
        .containsEntry("KUMA_RUNTIME_KUBERNETES_CONTROL_PLANE_SERVICE_NAME", "mesh-cp")
        .containsEntry("KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE", "registry.local/kuma-dp:dev")
        .containsEntry("KUMA_INJECTOR_INIT_CONTAINER_IMAGE", "registry.local/kuma-init:dev")
        .containsEntry("KUMA_API_SERVER_READ_ONLY", "false");
    assertThat(one(all, Service.class).getMetadata().getName()).isEqualTo("mesh-cp");
    assertThat(one(all, MutatingWebhookConfiguration.class).getWebhooks())
        .allSatisfy(w -> {
          assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo("mesh-system");
          assertThat(w.getClientConfig().getService().getName()).isEqualTo("mesh-cp");
        });
  }

  @Test
  void badFlagsAreOneLine() {
    Cli.Result r = new Cli(home).run("install", "control-plane", "--namespace", "Kuma_System");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error: --namespace: \"Kuma_System\" is not a valid namespace name");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void transparentProxyIsStillThere() {
    Cli.Result r = new Cli(home).run("install", "--help");

    assertThat(r.out()).contains("transparent-proxy").contains("control-plane");
  }

  @Test
  void theYamlIsPlainYamlThatJacksonReadsBack() throws Exception {
    Cli.Result r = new Cli(home).run("install", "control-plane");
    List<JsonNode> docs = new ArrayList<>();
    try (var it = Json.yaml().readerFor(JsonNode.class).<JsonNode>readValues(r.out())) {
      while (it.hasNext()) {
        docs.add(it.next());
      }
    }
    assertThat(docs).allSatisfy(d -> assertThat(d.path("apiVersion").isTextual()).isTrue());
  }

  private static X509Certificate cert(byte[] pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  private static PrivateKey privateKey(String pem) throws Exception {
    String b64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
  }
}
