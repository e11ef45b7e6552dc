package io.meshlite.cp.store.jdbc;

import static io.meshlite.cp.store.StoreEvent.Kind.CREATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.ResourceStoreContract.EventRecorder;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database goes away and comes back: 503-style failures meanwhile, recovery without help. */
class PostgresOutageIT {
  @RegisterExtension static final PostgresFixture pg = new PostgresFixture();

  private static final Duration RECOVERY = Duration.ofSeconds(30);

  @Test
  void whileTheDatabaseIsDownCallsFailWithUnavailableAndTheStoreRecoversByItself()
      throws Exception {
    String db = pg.createDatabase();
    StoreSettings.Postgres settings =
        pg.settings(db).password("outage-secret").connectionTimeout(Duration.ofSeconds(1)).build();
    StoreFactory.migrate(settings);

    try (ResourceStore store = StoreFactory.open(settings, Clock.systemUTC())) {
      EventRecorder events = new EventRecorder();
      store.subscribe(events);
      Resource before = store.create(mesh("before"));
      events.awaitExactly(RECOVERY, new StoreEvent(CREATED, before.key()));

      pg.stop();

      String where = "postgres store at 127.0.0.1:" + pg.port() + "/" + db + " is unavailable";
      assertUnavailable(() -> store.create(mesh("during")), where);
      assertUnavailable(() -> store.get(before.key()), where);
      assertUnavailable(() -> store.list(ResourceTypes.MESH_TYPE, null), where);
      assertUnavailable(() -> store.update(before), where);
      assertUnavailable(() -> store.delete(before.key()), where);
      await().atMost(RECOVERY).until(() -> !((JdbcStore) store).listening());

      pg.start();

      await()
          .atMost(RECOVERY)
          .ignoreException(StoreException.Unavailable.class)
          .untilAsserted(
              () ->
                  assertThat(store.list(ResourceTypes.MESH_TYPE, null))
                      .extracting(Resource::name)
                      .containsExactly("before"));
      await().atMost(RECOVERY).until(((JdbcStore) store)::listening);
      Resource after = store.create(mesh("after"));
      store.update(store.get(before.key()).orElseThrow());
      events.awaitContains(
          RECOVERY,
          new StoreEvent(CREATED, after.key()),
          new StoreEvent(StoreEvent.Kind.UPDATED, before.key()));
      assertThat(store.get(ResourceKey.of(ResourceTypes.MESH_TYPE, "", "during"))).isEmpty();
    }
  }

  private static void assertUnavailable(ThrowingCallable call, String where) {
    assertThatThrownBy(call)
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining(where)
        .hasMessageNotContaining("outage-secret")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private static Resource mesh(String name) {
    return new Resource(
        ResourceTypes.MESH_TYPE,
        "",
        name,
        ResourceMeta.draft(Map.of()),
        JsonNodeFactory.instance.objectNode());
  }
}
