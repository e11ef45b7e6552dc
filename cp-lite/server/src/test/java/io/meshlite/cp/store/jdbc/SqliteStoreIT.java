package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.Resource;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.ResourceStoreContract;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreIT extends ResourceStoreContract {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("sub/kuma.db");
  }

  @Override
  protected ResourceStore openStore(Clock clock) {
    return StoreFactory.open(new StoreSettings.Sqlite(file()), clock);
  }

  @Test
  void dataSurvivesAReopen() {
    Resource m = store.create(mesh("durable"));
    Resource dp = store.update(store.create(dataplane("durable", "dp-1")));
    store.close();

    store = openStore(clock);

    assertThat(store.get(m.key())).contains(m);
    assertThat(store.get(dp.key())).contains(dp);
  }

  @Test
  void theFileUsesWalAndFullSync() throws Exception {
    store.create(mesh("m"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void everyConnectionSyncsFullyAndEnforcesForeignKeys() throws Exception {
    Path other = dir.resolve("pragmas.db");
    SqliteConnections conns = SqliteConnections.lock(other);
    try {
      conns.connect();
      for (boolean write : new boolean[] {true, false}) {
        try (ConnectionSource.Lease lease = conns.lease(write);
            Statement s = lease.connection().createStatement()) {
          try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
            rs.next();
            assertThat(rs.getInt(1)).as("synchronous (2 = FULL)").isEqualTo(2);
          }
          try (ResultSet rs = s.executeQuery("PRAGMA foreign_keys")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
          }
        }
      }
    } finally {
      conns.close();
    }
  }

  @Test
  void aSecondKumaCpOnTheSameFileIsRefused() {
    assertThatThrownBy(() -> StoreFactory.open(new StoreSettings.Sqlite(file()), clock))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("is in use by another kuma-cp")
        .hasMessageContaining("KUMA_STORE_SQLITE_PATH");
  }

  @Test
  void theLockIsReleasedOnClose() {
    store.close();
    store = StoreFactory.open(new StoreSettings.Sqlite(file()), clock);
    assertThat(Files.exists(file())).isTrue();
  }

  @Test
  void anUnwritableLocationFailsWithAClearMessage() throws Exception {
    Path blocker = dir.resolve("not-a-dir");
    Files.writeString(blocker, "x");

    assertThatThrownBy(
            () -> StoreFactory.open(new StoreSettings.Sqlite(blocker.resolve("kuma.db")), clock))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("cannot be opened");
  }
}
