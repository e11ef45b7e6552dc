package io.meshlite.cp.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between the databases {@link JdbcStore} runs on: a few SQL fragments, how times are
 * bound, how errors are classified, where the migrations live and where change events come from.
 */
sealed interface SqlDialect permits SqliteDialect, PostgresDialect {

  /** Short name for messages: {@code sqlite} or {@code postgres}. */
  String name();

  /** Flyway location of this dialect's migrations. */
  String migrationLocation();

  /** A bind parameter that receives JSON text for a JSON column. */
  String jsonParam();

  /** Appended to the select of the owning Mesh row, so a concurrent Mesh delete waits for us. */
  String lockOwnerClause();

  /** A column compared byte-wise (so ordering matches Java's String order for ASCII names). */
  String binaryOrder(String column);

  void setTime(PreparedStatement ps, int index, Instant time) throws SQLException;

  Instant getTime(ResultSet rs, String column) throws SQLException;

  /** True when the database could not be reached or cannot work now (mapped to 503). */
  boolean isUnavailable(SQLException e);

  /** True when the transaction may simply be run again (serialisation failure, deadlock). */
  boolean isRetryable(SQLException e);

  /**
   * True when change events come from the database ({@code LISTEN}); false when the store emits
   * them itself after commit.
   */
  boolean eventsFromDatabase();
}
