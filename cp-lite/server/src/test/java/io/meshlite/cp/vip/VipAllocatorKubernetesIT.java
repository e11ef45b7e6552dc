package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.k8s.MockApiServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP table on the Kubernetes store lives where Kuma keeps it, the ConfigMap {@code
 * kuma-<mesh>-dns-vips} in the system namespace, so it survives a control-plane restart and is
 * shared by every control plane of the cluster.
 */
class VipAllocatorKubernetesIT {
  private MockApiServer api;

  @BeforeEach
  void start() {
    api = MockApiServer.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private KubernetesStore open() {
    return KubernetesStore.open(api.config(), "kuma-system", Clock.systemUTC());
  }

  private static Map<String, String> vips(ResourceStore store) {
    return store.get(VipNames.configKey("default")).map(VipTable::fromConfig).orElse(VipTable.EMPTY).addresses();
  }

  private static void dataplane(ResourceStore store, String service, String ip) {
    store.create(
        ResourceCodec.parse(
            "type: Dataplane\nmesh: default\nname: " + service + "-1.shop\nnetworking:\n  address: " + ip + "\n"
                + "  inbound: [{port: 80, tags: {kuma.io/service: " + service + "_shop_svc_80}}]\n"));
  }

  @Test
  void theTableIsAConfigMapThatOutlivesTheControlPlaneAndNewServicesDoNotMoveVips() {
    Map<String, String> first;
    try (KubernetesStore store = open()) {
      store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
      dataplane(store, "web", "10.244.0.1");
      dataplane(store, "backend", "10.244.0.2");
      new VipAllocator(store, Clock.systemUTC(), VipSettings.defaults()).sync("default");
      first = vips(store);

      ConfigMap cm = store.client().configMaps().inNamespace("kuma-system").withName("kuma-default-dns-vips").get();
      assertThat(cm).isNotNull();
      assertThat(cm.getData().get("config")).contains("backend_shop_svc_80").contains("web_shop_svc_80");
    }
    assertThat(first).containsOnlyKeys("backend_shop_svc_80", "web_shop_svc_80");

    try (KubernetesStore store = open()) {
      dataplane(store, "aaa", "10.244.0.3");
      new VipAllocator(store, Clock.systemUTC(), VipSettings.defaults()).sync("default");

      assertThat(vips(store)).containsAllEntriesOf(first).containsEntry("aaa_shop_svc_80", "240.0.0.3");
    }
  }

  @Test
  void twoControlPlanesOnOneClusterAgreeOnOneTable() throws Exception {
    try (KubernetesStore a = open();
        KubernetesStore b = open()) {
      a.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
      for (int i = 0; i < 6; i++) {
        dataplane(a, "svc" + i, "10.244.1." + (i + 1));
      }
      VipAllocator onA = new VipAllocator(a, Clock.systemUTC(), VipSettings.defaults());
      VipAllocator onB = new VipAllocator(b, Clock.systemUTC(), VipSettings.defaults());
      Thread ta = Thread.ofPlatform().name("sync-a").start(() -> onA.sync("default"));
      Thread tb = Thread.ofPlatform().name("sync-b").start(() -> onB.sync("default"));
      ta.join();
      tb.join();

      Map<String, String> seenByA = vips(a);
      assertThat(seenByA).hasSize(6);
      assertThat(seenByA.values()).doesNotHaveDuplicates();
      assertThat(vips(b)).isEqualTo(seenByA);
    }
  }
}
