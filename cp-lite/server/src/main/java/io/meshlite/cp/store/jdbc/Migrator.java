package io.meshlite.cp.store.jdbc;

import io.meshlite.cp.store.SchemaVersionException;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreSettings;
import java.sql.SQLException;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Flyway migrations of the store schema (history table {@code schema_migration}), one folder per
 * dialect under {@code db/migration/}. Versions are plain integers: v1 is Kuma's final {@code
 * resources} schema, later versions add to it.
 *
 * <p>{@code kuma-cp migrate up} calls {@link #migrateUp()}; a Postgres kuma-cp calls {@link
 * #checkSchema()} at start and refuses to run on any other version, as Kuma does.
 */
public final class Migrator implements AutoCloseable {
  /** The Flyway history table. */
  public static final String HISTORY_TABLE = "schema_migration";

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String target;
  private final AutoCloseable onClose;

  Migrator(DataSource dataSource, SqlDialect dialect, String target, AutoCloseable onClose) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.target = target;
    this.onClose = onClose;
  }

  /**
   * A migrator for a SQLite file (locks it like a running kuma-cp would).
   *
   * @throws StoreException.Unavailable if a kuma-cp has the file open
   */
  public static Migrator open(StoreSettings.Sqlite settings) {
    SqliteConnections conns = SqliteConnections.lock(settings.path());
    return new Migrator(
        conns.migrationSource(), SqliteDialect.INSTANCE, conns.describe(), conns::releaseLock);
  }

  /** A migrator for a Postgres database (connects per call, no pool). */
  public static Migrator open(StoreSettings.Postgres settings) {
    PgConnector connector = new PgConnector(settings);
    return new Migrator(
        connector.dataSource(), PostgresDialect.INSTANCE, connector.describe(), connector);
  }

  /**
   * Applies every pending migration. Idempotent.
   *
   * @return {@code DB has been migrated for Kuma-compatible schema vN} or {@code DB has already
   *     been migrated for Kuma-compatible schema vN}
   * @throws SchemaVersionException the database is newer than this kuma-cp
   */
  public String migrateUp() {
    return flyway(
        "migrate up",
        () -> {
          Flyway flyway = configure(null);
          MigrationInfoService info = flyway.info();
          int current = currentVersion(info);
          int known = knownVersion(info);
          if (current > known) {
            throw new SchemaVersionException(current, known);
          }
          if (current == known) {
            return "DB has already been migrated for Kuma-compatible schema v" + known;
          }
          flyway.migrate();
          return "DB has been migrated for Kuma-compatible schema v" + known;
        });
  }

  /**
   * Checks that the database is exactly at this kuma-cp's schema version.
   *
   * @throws SchemaVersionException with a one-line message saying what to do
   */
  public void checkSchema() {
    flyway(
        "schema check",
        () -> {
          MigrationInfoService info = configure(null).info();
          int current = currentVersion(info);
          int known = knownVersion(info);
          if (current != known) {
            throw new SchemaVersionException(current, known);
          }
          return null;
        });
  }

  /** The schema version the database is at; 0 when never migrated. */
  public int currentVersion() {
    return flyway("schema check", () -> currentVersion(configure(null).info()));
  }

  /** The newest schema version this kuma-cp knows. */
  public int knownVersion() {
    return flyway("schema check", () -> knownVersion(configure(null).info()));
  }

  /** Migrates up to (and including) one version; for tests that need an older schema. */
  void migrateTo(int version) {
    flyway(
        "migrate up",
        () -> {
          configure(MigrationVersion.fromVersion(Integer.toString(version))).migrate();
          return null;
        });
  }

  private Flyway configure(MigrationVersion targetVersion) {
    var config =
        Flyway.configure(Migrator.class.getClassLoader())
            .dataSource(dataSource)
            .table(HISTORY_TABLE)
            .locations(dialect.migrationLocation())
            .placeholderReplacement(false)
            .loggers(QuietFlywayLog.class.getName())
            .cleanDisabled(true);
    if (targetVersion != null) {
      config = config.target(targetVersion);
    }
    return config.load();
  }

  private static int currentVersion(MigrationInfoService info) {
    return maxVersion(info.applied(), m -> m.getState().isApplied() && !m.getState().isFailed());
  }

  private static int knownVersion(MigrationInfoService info) {
    return maxVersion(info.all(), m -> m.getState().isResolved());
  }

  private static int maxVersion(MigrationInfo[] migrations, Predicate<MigrationInfo> filter) {
    int max = 0;
    for (MigrationInfo m : migrations) {
      if (m.getVersion() != null && filter.test(m)) {
        max = Math.max(max, m.getVersion().getMajor().intValueExact());
      }
    }
    return max;
  }

  @FunctionalInterface
  private interface FlywayWork<T> {
    T run();
  }

  private <T> T flyway(String what, FlywayWork<T> work) {
    try {
      return work.run();
    } catch (FlywayException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SQLException se && dialect.isUnavailable(se)) {
          throw new StoreException.Unavailable(Errors.unavailable(target, what, se), e);
        }
      }
      String msg =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new IllegalStateException(target + ": " + what + " failed: " + msg, e);
    }
  }

  @Override
  public void close() {
    if (onClose != null) {
      try {
        onClose.close();
      } catch (Exception e) {
        // releasing a lock or a temp file; nothing useful to report
      }
    }
  }
}
