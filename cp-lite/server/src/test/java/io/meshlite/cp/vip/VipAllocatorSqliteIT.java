package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VIPs are as durable as the store: a control plane reopening its SQLite file sees the same VIPs. */
class VipAllocatorSqliteIT {
  @TempDir Path dir;

  private static Map<String, String> vips(ResourceStore store) {
    return store.get(VipNames.configKey("default")).map(VipTable::fromConfig).orElse(VipTable.EMPTY).addresses();
  }

  @Test
  void vipsAreStableAcrossRestartsAndNewServicesDoNotMoveThem() {
    StoreSettings settings = new StoreSettings.Sqlite(dir.resolve("kuma.db"));
    Map<String, String> first;
    try (ResourceStore store = StoreFactory.open(settings, Clock.systemUTC())) {
      store.create(ResourceCodec.parse("type: Mesh\nname: default\n"));
      for (String s : new String[] {"web", "backend", "db"}) {
        store.create(
            ResourceCodec.parse(
                "type: Dataplane\nmesh: default\nname: " + s + "-1\nnetworking:\n  address: 10.0.0.1\n"
                    + "  inbound: [{port: 80, tags: {kuma.io/service: " + s + "}}]\n"));
      }
      new VipAllocator(store, Clock.systemUTC(), VipSettings.defaults()).sync("default");
      first = vips(store);
    }
    assertThat(first).containsOnlyKeys("backend", "db", "web");

    try (ResourceStore store = StoreFactory.open(settings, Clock.systemUTC())) {
      assertThat(store.get(ResourceKey.of(ResourceTypes.CONFIG, "", "kuma-default-dns-vips"))).isPresent();
      store.create(
          ResourceCodec.parse(
              "type: Dataplane\nmesh: default\nname: aaa-1\nnetworking:\n  address: 10.0.0.2\n"
                  + "  inbound: [{port: 80, tags: {kuma.io/service: aaa}}]\n"));
      new VipAllocator(store, Clock.systemUTC(), VipSettings.defaults()).sync("default");

      assertThat(vips(store)).containsAllEntriesOf(first).containsEntry("aaa", "240.0.0.4");
    }
  }
}
