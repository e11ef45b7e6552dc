package io.meshlite.cp.store.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshlite.api.k8s.KumaCrd;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.ResourceStoreContract;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract against fabric8's mock API server in CRUD mode, through the same client code
 * that talks to a real cluster, plus what is specific to Kubernetes: where objects land and what
 * they look like to kubectl.
 */
class KubernetesStoreIT extends ResourceStoreContract {
  private MockApiServer api;

  @Override
  protected ResourceStore openStore(Clock clock) {
    api = MockApiServer.start();
    return KubernetesStore.open(api.config(), "kuma-system", clock);
  }

  @AfterEach
  void stopApiServer() {
    if (store != null) {
      store.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private KubernetesClient kube() {
    return ((KubernetesStore) store).client();
  }

  private static ResourceDefinitionContext ctx(KumaCrd crd) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(KumaCrds.GROUP)
        .withVersion(KumaCrds.VERSION)
        .withKind(crd.kind())
        .withPlural(crd.plural())
        .withNamespaced(crd.namespaced())
        .build();
  }

  @Test
  void aMeshIsAClusterScopedCustomResource() {
    store.create(mesh("demo"));

    GenericKubernetesResource m =
        kube().genericKubernetesResources(ctx(KumaCrds.of(MESH))).withName("demo").get();
    assertThat(m.getApiVersion()).isEqualTo("kuma.io/v1alpha1");
    assertThat(m.getKind()).isEqualTo("Mesh");
    assertThat(m.getMetadata().getNamespace()).isNull();
  }

  @Test
  void aKumaStyleNameIsTheObjectInThatNamespaceWithMeshFieldLabelAndOwner() {
    Resource mesh = store.create(mesh("default"));
    store.create(dataplane("default", "web-1.shop"));

    GenericKubernetesResource dp =
        kube().genericKubernetesResources(ctx(KumaCrds.of(DATAPLANE))).inNamespace("shop").withName("web-1").get();
    assertThat(dp).isNotNull();
    assertThat(dp.getAdditionalProperties()).containsEntry("mesh", "default");
    assertThat(dp.getMetadata().getLabels()).containsEntry("kuma.io/mesh", "default");
    assertThat(dp.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> {
          assertThat(o.getKind()).isEqualTo("Mesh");
          assertThat(o.getName()).isEqualTo("default");
          assertThat(o.getUid())
              .isEqualTo(
                  kube().genericKubernetesResources(ctx(KumaCrds.of(MESH))).withName("default").get().getMetadata().getUid());
        });
    assertThat(mesh.name()).isEqualTo("default");
    assertThat(store.list(DATAPLANE, "default")).extracting(Resource::name).containsExactly("web-1.shop");
  }

  @Test
  void aDataplaneInsightIsOwnedByItsDataplaneAsInKuma() {
    store.create(mesh("default"));
    store.create(dataplane("default", "web-1.shop"));
    store.create(insight("default", "web-1.shop"));

    GenericKubernetesResource insight =
        kube()
            .genericKubernetesResources(ctx(KumaCrds.of(io.meshlite.api.resource.ResourceTypes.DATAPLANE_INSIGHT)))
            .inNamespace("shop")
            .withName("web-1")
            .get();
    GenericKubernetesResource dp =
        kube().genericKubernetesResources(ctx(KumaCrds.of(DATAPLANE))).inNamespace("shop").withName("web-1").get();
    assertThat(insight.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> {
          assertThat(o.getKind()).isEqualTo("Dataplane");
          assertThat(o.getName()).isEqualTo("web-1");
          assertThat(o.getUid()).isEqualTo(dp.getMetadata().getUid());
        });
  }

  @Test
  void aPolicyWrittenWithKubectlIsReadWithKumasNameAndMeshLabel() {
    GenericKubernetesResource mtp = new GenericKubernetesResource();
    mtp.setApiVersion("kuma.io/v1alpha1");
    mtp.setKind("MeshTrafficPermission");
    mtp.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("allow-all")
            .withNamespace("kuma-system")
            .withLabels(Map.of("kuma.io/mesh", "payments"))
            .build());
    mtp.setAdditionalProperty("spec", Map.of("targetRef", Map.of("kind", "Mesh")));
    kube().genericKubernetesResources(ctx(KumaCrds.of(MTP))).inNamespace("kuma-system").resource(mtp).create();

    Resource r = store.get(key(MTP, "payments", "allow-all.kuma-system")).orElseThrow();

    assertThat(r.spec().at("/targetRef/kind").asText()).isEqualTo("Mesh");
    assertThat(r.meta().version()).isEqualTo(1);
    assertThat(r.meta().labels()).containsEntry("kuma.io/mesh", "payments");
    assertThat(store.list(MTP, "payments")).extracting(Resource::name).containsExactly("allow-all.kuma-system");
    // Kuma's plugin CRDs have no top-level mesh field: the label is the mesh.
    assertThat(store.update(r).meta().version()).isEqualTo(2);
    assertThat(
            kube().genericKubernetesResources(ctx(KumaCrds.of(MTP))).inNamespace("kuma-system").withName("allow-all").get()
                .getAdditionalProperties())
        .doesNotContainKey("mesh");
  }

  @Test
  void namesKubernetesWouldRejectAreStoredUnderAGeneratedNameInTheSystemNamespace() {
    store.create(dataplane("a", "B_upper"));
    store.create(dataplane("b", "B_upper"));

    var all = kube().genericKubernetesResources(ctx(KumaCrds.of(DATAPLANE))).inNamespace("kuma-system").list().getItems();
    assertThat(all).hasSize(2);
    assertThat(all)
        .allSatisfy(o -> {
          assertThat(K8sNames.validName(o.getMetadata().getName())).isTrue();
          assertThat(o.getMetadata().getName()).startsWith("b-upper-");
          assertThat(o.getMetadata().getAnnotations()).containsEntry("meshlite.io/name", "B_upper");
        });
    assertThat(store.get(key(DATAPLANE, "a", "B_upper"))).isPresent();
    assertThat(store.get(key(DATAPLANE, "b", "B_upper"))).isPresent();
  }

  @Test
  void labelsKubernetesWouldRejectAreKeptInAnAnnotation() {
    store.create(
        dataplane("default", "dp.shop").withMeta(ResourceMeta.draft(Map.of("team", "Zürich", "app", "web"))));

    GenericKubernetesResource o =
        kube().genericKubernetesResources(ctx(KumaCrds.of(DATAPLANE))).inNamespace("shop").withName("dp").get();
    assertThat(o.getMetadata().getLabels()).containsEntry("app", "web").doesNotContainKey("team");
    assertThat(o.getMetadata().getAnnotations().get("meshlite.io/labels")).contains("Zürich");
  }

  @Test
  void secretsAreNativeSecretsOfKumasTypeInTheSystemNamespace() {
    store.create(secret("default", "sec-1"));
    store.create(globalSecret("admin-token"));

    Secret s = kube().secrets().inNamespace("kuma-system").withName("sec-1").get();
    assertThat(s.getType()).isEqualTo("system.kuma.io/secret");
    assertThat(s.getData()).containsEntry("value", "c2VjcmV0");
    assertThat(s.getMetadata().getLabels()).containsEntry("kuma.io/mesh", "default");
    Secret g = kube().secrets().inNamespace("kuma-system").withName("admin-token").get();
    assertThat(g.getType()).isEqualTo("system.kuma.io/global-secret");
    assertThat(store.list(ResourceTypes.SECRET, null)).extracting(Resource::name).containsExactly("sec-1");
    assertThat(store.list(ResourceTypes.GLOBAL_SECRET, null)).extracting(Resource::name).containsExactly("admin-token");
  }

  @Test
  void changesMadeWithKubectlAreAnnounced() {
    EventRecorder events = record();
    GenericKubernetesResource m = new GenericKubernetesResource();
    m.setApiVersion("kuma.io/v1alpha1");
    m.setKind("Mesh");
    m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("from-kubectl").build());
    kube().genericKubernetesResources(ctx(KumaCrds.of(MESH))).resource(m).create();
    kube().genericKubernetesResources(ctx(KumaCrds.of(MESH))).withName("from-kubectl").delete();

    events.awaitExactly(
        eventTimeout(),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.CREATED, key(MESH, "", "from-kubectl")),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.DELETED, key(MESH, "", "from-kubectl")));
  }

  @Test
  void aConfigKeepsLabelsThatKubernetesWouldNotAcceptAsLabels() {
    com.fasterxml.jackson.databind.node.ObjectNode spec = io.meshlite.api.resource.Json.mapper().createObjectNode();
    spec.put("config", "{}");
    Map<String, String> labels = Map.of("team", "core", "owner note", "not a label value!");
    Resource created =
        store.create(new Resource(ResourceTypes.CONFIG, "", "kuma-labelled", ResourceMeta.draft(labels), spec));

    assertThat(kube().configMaps().inNamespace("kuma-system").withName("kuma-labelled").get().getMetadata().getLabels())
        .containsOnly(Map.entry("team", "core"));
    assertThat(store.get(created.key())).get().extracting(r -> r.meta().labels()).isEqualTo(labels);
    Resource updated = store.update(store.get(created.key()).orElseThrow().withSpec(spec));
    assertThat(store.get(updated.key())).get().extracting(r -> r.meta().labels()).isEqualTo(labels);
  }

  @Test
  void kumasInternalConfigsAreConfigMapsInTheSystemNamespaceWithTheirTextUnderConfig() {
    EventRecorder events = record();
    com.fasterxml.jackson.databind.node.ObjectNode spec = io.meshlite.api.resource.Json.mapper().createObjectNode();
    spec.put("config", "{\"0:kuma.io/service_web\":{\"address\":\"240.0.0.0\"}}");
    Resource created =
        store.create(new Resource(ResourceTypes.CONFIG, "", "kuma-default-dns-vips", ResourceMeta.draft(Map.of()), spec));

    io.fabric8.kubernetes.api.model.ConfigMap cm =
        kube().configMaps().inNamespace("kuma-system").withName("kuma-default-dns-vips").get();
    assertThat(cm.getData()).containsOnlyKeys("config").containsEntry("config", spec.get("config").asText());
    assertThat(created.meta().version()).isEqualTo(1);

    spec.put("config", "{}");
    Resource updated = store.update(created.withSpec(spec));
    assertThat(updated.meta().version()).isEqualTo(2);
    assertThat(store.get(created.key())).get().extracting(r -> r.spec().get("config").asText()).isEqualTo("{}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.update(created.withSpec(spec)))
        .isInstanceOf(io.meshlite.cp.store.StoreException.Conflict.class);

    // Kuma's own ConfigMap (no annotations) is a Config; one without a "config" key is not.
    kube().configMaps().inNamespace("kuma-system")
        .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("kuma-demo-dns-vips").endMetadata()
            .addToData("config", "{}").build())
        .create();
    kube().configMaps().inNamespace("kuma-system")
        .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt").endMetadata()
            .addToData("ca.crt", "pem").build())
        .create();
    assertThat(store.list(ResourceTypes.CONFIG, null)).extracting(Resource::name)
        .containsExactly("kuma-default-dns-vips", "kuma-demo-dns-vips");
    assertThat(store.get(key(ResourceTypes.CONFIG, "", "kuma-demo-dns-vips"))).get()
        .extracting(r -> r.meta().version()).isEqualTo(1L);
    assertThat(store.get(key(ResourceTypes.CONFIG, "", "kube-root-ca.crt"))).isEmpty();
    assertThat(store.list(ResourceTypes.CONFIG, "default")).isEmpty();

    store.delete(created.key());
    assertThat(kube().configMaps().inNamespace("kuma-system").withName("kuma-default-dns-vips").get()).isNull();
    events.awaitExactlyInAnyOrder(
        eventTimeout(),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.CREATED, key(ResourceTypes.CONFIG, "", "kuma-default-dns-vips")),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.UPDATED, key(ResourceTypes.CONFIG, "", "kuma-default-dns-vips")),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.CREATED, key(ResourceTypes.CONFIG, "", "kuma-demo-dns-vips")),
        new io.meshlite.cp.store.StoreEvent(io.meshlite.cp.store.StoreEvent.Kind.DELETED, key(ResourceTypes.CONFIG, "", "kuma-default-dns-vips")));
  }
}
