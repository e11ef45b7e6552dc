package io.meshlite.cp.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * PostgreSQL: Kuma's {@code timestamp} columns hold UTC, labels are {@code jsonb}, events arrive
 * through {@code LISTEN resource_events}.
 */
final class PostgresDialect implements SqlDialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  private PostgresDialect() {}

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public String migrationLocation() {
    return "classpath:db/migration/postgres";
  }

  @Override
  public String jsonParam() {
    return "CAST(? AS jsonb)";
  }

  @Override
  public String lockOwnerClause() {
    return " FOR KEY SHARE";
  }

  @Override
  public String binaryOrder(String column) {
    return column + " COLLATE \"C\"";
  }

  @Override
  public void setTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    ps.setObject(
        index, LocalDateTime.ofInstant(time.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
  }

  @Override
  public Instant getTime(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
  }

  @Override
  public boolean isUnavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException se && unavailableState(se.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static boolean unavailableState(String state) {
    if (state == null) {
      return false;
    }
    return state.startsWith("08") // connection exception
        || state.startsWith("28") // invalid authorization
        || state.startsWith("53") // insufficient resources (too many connections, disk full)
        || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
        || state.equals("3D000"); // database does not exist
  }

  @Override
  public boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  @Override
  public boolean eventsFromDatabase() {
    return true;
  }
}
