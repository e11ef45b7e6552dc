package io.meshlite.cp.store.jdbc;

import static io.meshlite.cp.store.StoreEvent.Kind.CREATED;
import static io.meshlite.cp.store.StoreEvent.Kind.DELETED;
import static io.meshlite.cp.store.StoreEvent.Kind.UPDATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.ResourceStoreContract;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

/** The contract on a real PostgreSQL, plus what only Postgres does: events across kuma-cps. */
class PostgresStoreIT extends ResourceStoreContract {
  @RegisterExtension static final PostgresFixture pg = new PostgresFixture();

  private static String db;
  private ResourceStore other;

  @BeforeAll
  static void migrate() throws Exception {
    db = pg.createDatabase();
    assertThat(StoreFactory.migrate(settings()))
        .isEqualTo("DB has been migrated for Kuma-compatible schema v2");
  }

  private static StoreSettings.Postgres settings() {
    return pg.settings(db).build();
  }

  @Override
  protected ResourceStore openStore(Clock clock) throws Exception {
    try (Connection c = pg.admin(db);
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE resources"); // fires no row trigger, so no stray events
    }
    return StoreFactory.open(settings(), clock);
  }

  @AfterEach
  void closeOther() {
    if (other != null) {
      other.close();
    }
  }

  @Test
  void aWriteThroughOneKumaCpIsAnnouncedOnAnother() {
    other = StoreFactory.open(settings(), clock);
    EventRecorder remote = new EventRecorder();
    other.subscribe(remote);

    Resource m = store.create(mesh("shared"));
    Resource dp = store.create(dataplane("shared", "dp-1"));
    store.update(dp);
    store.delete(m.key());

    remote.awaitSequenceThenAnyOrder(
        eventTimeout(),
        List.of(
            new StoreEvent(CREATED, m.key()),
            new StoreEvent(CREATED, dp.key()),
            new StoreEvent(UPDATED, dp.key())),
        List.of(new StoreEvent(DELETED, dp.key()), new StoreEvent(DELETED, m.key())));
    assertThat(other.get(m.key())).isEmpty();
  }

  @Test
  void theTriggerSendsKumasPayload() throws Exception {
    try (Connection c = pg.admin(db)) {
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN resource_events");
      }
      store.create(mesh("payload"));
      PGConnection pgc = c.unwrap(PGConnection.class);
      String payload =
          await()
              .atMost(eventTimeout())
              .until(
                  () -> {
                    var ns = pgc.getNotifications(100);
                    return ns == null || ns.length == 0 ? null : ns[0].getParameter();
                  },
                  p -> p != null);
      var json = Json.mapper().readTree(payload);
      assertThat(json.path("action").asText()).isEqualTo("INSERT");
      assertThat(json.path("data").path("name").asText()).isEqualTo("payload");
      assertThat(json.path("data").path("mesh").asText()).isEqualTo("");
      assertThat(json.path("data").path("type").asText()).isEqualTo("Mesh");
    }
  }

  @Test
  void meshScopedRowsPointAtTheirMeshLikeKumas() throws Exception {
    store.create(mesh("owner"));
    store.create(dataplane("owner", "dp-1"));
    try (Connection c = pg.admin(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT owner_name, owner_mesh, owner_type, version, status::text, labels::text"
                    + " FROM resources WHERE name = 'dp-1'")) {
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("owner");
        assertThat(rs.getString(2)).isEqualTo("");
        assertThat(rs.getString(3)).isEqualTo("Mesh");
        assertThat(rs.getInt(4)).isEqualTo(1);
        assertThat(rs.getString(5)).isEqualTo("{}");
        assertThat(rs.getString(6)).isEqualTo("{}");
      }
    }
  }

  @Test
  void afterTheListenerConnectionDropsItReconnectsAndAnnouncesWhatItMissed() throws Exception {
    store.close();
    store =
        StoreFactory.open(
            pg.settings(db)
                .minReconnectInterval(Duration.ofSeconds(1))
                .maxReconnectInterval(Duration.ofSeconds(2))
                .build(),
            clock);
    other = StoreFactory.open(settings(), clock);
    EventRecorder events = record();
    Resource doomed = other.create(mesh("doomed"));
    Resource changed = other.create(mesh("changed"));
    events.awaitExactly(
        eventTimeout(),
        new StoreEvent(CREATED, doomed.key()),
        new StoreEvent(CREATED, changed.key()));
    int pid = ((JdbcStore) store).listenerPid();
    assertThat(pid).isPositive();

    try (Connection c = pg.admin(db);
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.execute();
    }
    // Written while the listener is (most likely) away; announced either way.
    Resource born = other.create(mesh("born"));
    other.update(changed);
    other.delete(doomed.key());

    events.awaitContains(
        eventTimeout(),
        new StoreEvent(CREATED, born.key()),
        new StoreEvent(UPDATED, changed.key()),
        new StoreEvent(DELETED, doomed.key()));
    await().atMost(eventTimeout()).until(((JdbcStore) store)::listening);
    assertThat(((JdbcStore) store).listenerPid()).isNotEqualTo(pid);

    Resource after = other.create(mesh("after"));
    events.awaitContains(eventTimeout(), new StoreEvent(CREATED, after.key()));
  }
}
