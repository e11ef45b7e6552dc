package io.meshlite.cp.store;

import io.meshlite.cp.store.jdbc.JdbcStore;
import io.meshlite.cp.store.jdbc.Migrator;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.memory.MemoryStore;
import java.time.Clock;

/**
 * Opens the configured store and runs {@code kuma-cp migrate up}. The only entry point {@code
 * CpMain} needs.
 */
public final class StoreFactory {
  private StoreFactory() {}

  /**
   * Opens the store. SQLite migrates its file first; Postgres must already be at this kuma-cp's
   * schema version (as Kuma, run {@code kuma-cp migrate up} first). For Postgres, returns once the
   * change listener is connected, so every later change produces an event.
   *
   * @throws SchemaVersionException the database schema is older or newer than this kuma-cp
   * @throws StoreException.Unavailable the database cannot be reached or opened
   */
  public static ResourceStore open(StoreSettings settings, Clock clock) {
    return switch (settings) {
      case StoreSettings.Memory m -> new MemoryStore(clock);
      case StoreSettings.Sqlite s -> JdbcStore.openSqlite(s, clock);
      case StoreSettings.Postgres p -> JdbcStore.openPostgres(p, clock);
      case StoreSettings.Kubernetes k ->
          KubernetesStore.open(KubernetesStore.clusterConfig(), k.systemNamespace(), clock);
    };
  }

  /**
   * Brings the database schema up to this kuma-cp's version ({@code kuma-cp migrate up}).
   * Idempotent.
   *
   * @return the line to print, e.g. {@code DB has been migrated for Kuma-compatible schema v2}
   * @throws SchemaVersionException the database is newer than this kuma-cp
   * @throws StoreException.Unavailable the database cannot be reached
   */
  public static String migrate(StoreSettings settings) {
    return switch (settings) {
      case StoreSettings.Memory m -> "memory store: nothing to migrate";
      case StoreSettings.Kubernetes k -> "kubernetes store: nothing to migrate";
      case StoreSettings.Sqlite s -> {
        try (Migrator migrator = Migrator.open(s)) {
          yield migrator.migrateUp();
        }
      }
      case StoreSettings.Postgres p -> {
        try (Migrator migrator = Migrator.open(p)) {
          yield migrator.migrateUp();
        }
      }
    };
  }
}
