package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.SchemaVersionException;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kuma-cp migrate up} and the startup schema check, on Postgres and SQLite. */
class MigratorIT {
  @RegisterExtension static final PostgresFixture pg = new PostgresFixture();

  private static final String MIGRATED = "DB has been migrated for Kuma-compatible schema v2";
  private static final String ALREADY =
      "DB has already been migrated for Kuma-compatible schema v2";

  @TempDir Path dir;

  // ---- Postgres ----

  @Test
  void postgresMigrateUpTwiceIsIdempotent() throws Exception {
    StoreSettings.Postgres s = pg.settings(pg.createDatabase()).build();

    assertThat(StoreFactory.migrate(s)).isEqualTo(MIGRATED);
    assertThat(StoreFactory.migrate(s)).isEqualTo(ALREADY);
    assertThat(historyVersions(s.dbName())).containsExactly("1", "2");
    try (ResourceStore store = StoreFactory.open(s, Clock.systemUTC())) {
      assertThat(store.list(ResourceTypes.MESH_TYPE, null)).isEmpty();
    }
  }

  @Test
  void postgresIsNotMigratedByStartingKumaCp() throws Exception {
    StoreSettings.Postgres s = pg.settings(pg.createDatabase()).build();

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessage(
            "database schema is at version 0, this kuma-cp needs 2: run `kuma-cp migrate up`");
    assertThat(tables(s.dbName())).doesNotContain("resources", "schema_migration");
  }

  @Test
  void postgresOlderSchemaIsRefusedUntilMigrated() throws Exception {
    StoreSettings.Postgres s = pg.settings(pg.createDatabase()).build();
    try (Migrator m = Migrator.open(s)) {
      m.migrateTo(1);
      assertThat(m.currentVersion()).isEqualTo(1);
      assertThat(m.knownVersion()).isEqualTo(2);
    }

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessage(
            "database schema is at version 1, this kuma-cp needs 2: run `kuma-cp migrate up`");

    assertThat(StoreFactory.migrate(s)).isEqualTo(MIGRATED);
    StoreFactory.open(s, Clock.systemUTC()).close();
  }

  @Test
  void postgresNewerSchemaIsRefused() throws Exception {
    StoreSettings.Postgres s = pg.settings(pg.createDatabase()).build();
    StoreFactory.migrate(s);
    try (Connection c = pg.admin(s.dbName());
        Statement st = c.createStatement()) {
      st.execute(futureMigrationRow());
    }
    String newer =
        "database schema is at version 3, which is newer than this kuma-cp knows (2); upgrade"
            + " kuma-cp";

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessage(newer);
    assertThatThrownBy(() -> StoreFactory.migrate(s))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessage(newer);
  }

  @Test
  void postgresSchemaHasKumasColumnsTriggerAndLocksTable() throws Exception {
    StoreSettings.Postgres s = pg.settings(pg.createDatabase()).build();
    StoreFactory.migrate(s);
    List<String> columns = new ArrayList<>();
    try (Connection c = pg.admin(s.dbName());
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "SELECT column_name, data_type, coalesce(character_maximum_length, 0), is_nullable"
                  + " FROM information_schema.columns WHERE table_name = 'resources'"
                  + " ORDER BY ordinal_position")) {
        while (rs.next()) {
          columns.add(
              rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getString(4));
        }
      }
      assertThat(columns)
          .containsExactly(
              "name character varying 253 NO",
              "mesh character varying 100 NO",
              "type character varying 100 NO",
              "version integer 0 NO",
              "spec text 0 YES",
              "creation_time timestamp without time zone 0 NO",
              "modification_time timestamp without time zone 0 NO",
              "owner_name character varying 100 YES",
              "owner_mesh character varying 100 YES",
              "owner_type character varying 100 YES",
              "labels jsonb 0 YES",
              "status jsonb 0 NO");
      try (ResultSet rs =
          st.executeQuery("SELECT confdeltype FROM pg_constraint WHERE conname = 'owner_fk'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("c"); // ON DELETE CASCADE
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT tgname FROM pg_trigger WHERE tgrelid = 'resources'::regclass AND NOT"
                  + " tgisinternal")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("products_notify_event");
      }
    }
    assertThat(tables(s.dbName())).contains("resources", "locks", "schema_migration");
  }

  @Test
  void anUnreachableDatabaseIsUnavailableWithAClearMessage() throws Exception {
    int closedPort;
    try (var socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    StoreSettings.Postgres s =
        pg.settings("kuma")
            .port(closedPort)
            .password("s3cr3t-pw")
            .connectionTimeout(Duration.ofSeconds(1))
            .build();

    assertThatThrownBy(() -> StoreFactory.migrate(s))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("postgres store at 127.0.0.1:" + closedPort + "/kuma is unavailable")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("s3cr3t-pw");
    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageNotContaining("s3cr3t-pw");
  }

  @Test
  void aMissingDatabaseIsUnavailableWithTheServersReason() {
    StoreSettings.Postgres s = pg.settings("no_such_db").build();

    assertThatThrownBy(() -> StoreFactory.migrate(s))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("no_such_db")
        .hasMessageContaining("does not exist");
  }

  // ---- SQLite ----

  @Test
  void sqliteMigratesItselfAndMigrateUpIsIdempotent() throws Exception {
    StoreSettings.Sqlite s = new StoreSettings.Sqlite(dir.resolve("a.db"));

    assertThat(StoreFactory.migrate(s)).isEqualTo(MIGRATED);
    assertThat(StoreFactory.migrate(s)).isEqualTo(ALREADY);
    StoreFactory.open(s, Clock.systemUTC()).close();

    StoreSettings.Sqlite fresh = new StoreSettings.Sqlite(dir.resolve("b.db"));
    StoreFactory.open(fresh, Clock.systemUTC()).close();
    assertThat(StoreFactory.migrate(fresh)).isEqualTo(ALREADY);
  }

  @Test
  void sqliteOlderSchemaIsUpgradedOnStart() throws Exception {
    StoreSettings.Sqlite s = new StoreSettings.Sqlite(dir.resolve("old.db"));
    try (Migrator m = Migrator.open(s)) {
      m.migrateTo(1);
    }

    StoreFactory.open(s, Clock.systemUTC()).close();

    try (Migrator m = Migrator.open(s)) {
      assertThat(m.currentVersion()).isEqualTo(2);
      m.checkSchema();
    }
  }

  @Test
  void sqliteNewerSchemaIsRefused() throws Exception {
    Path file = dir.resolve("new.db");
    StoreSettings.Sqlite s = new StoreSettings.Sqlite(file);
    StoreFactory.migrate(s);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute(futureMigrationRow());
    }
    String newer =
        "database schema is at version 3, which is newer than this kuma-cp knows (2); upgrade"
            + " kuma-cp";

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessage(newer);
    assertThatThrownBy(() -> StoreFactory.migrate(s)).hasMessage(newer);
    // the refused open released its lock
    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC())).hasMessage(newer);
  }

  @Test
  void memoryHasNothingToMigrate() {
    assertThat(StoreFactory.migrate(new StoreSettings.Memory())).contains("nothing to migrate");
  }

  // ---- helpers ----

  private static String futureMigrationRow() {
    return "INSERT INTO schema_migration (installed_rank, version, description, type, script,"
        + " checksum, installed_by, execution_time, success)"
        + " VALUES (99, '3', 'from a newer kuma-cp', 'SQL', 'V3__future.sql', 0, 'test', 0, true)";
  }

  private static List<String> historyVersions(String db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.admin(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT version FROM schema_migration ORDER BY installed_rank")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static List<String> tables(String db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.admin(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
