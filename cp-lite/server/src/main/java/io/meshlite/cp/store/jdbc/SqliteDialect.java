package io.meshlite.cp.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** SQLite: times as UTC text with microseconds, events emitted in-process. */
final class SqliteDialect implements SqlDialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private static final Set<Integer> UNAVAILABLE =
      Set.of(
          SQLiteErrorCode.SQLITE_BUSY.code,
          SQLiteErrorCode.SQLITE_LOCKED.code,
          SQLiteErrorCode.SQLITE_IOERR.code,
          SQLiteErrorCode.SQLITE_FULL.code,
          SQLiteErrorCode.SQLITE_CANTOPEN.code,
          SQLiteErrorCode.SQLITE_READONLY.code,
          SQLiteErrorCode.SQLITE_NOLFS.code);

  private SqliteDialect() {}

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public String migrationLocation() {
    return "classpath:db/migration/sqlite";
  }

  @Override
  public String jsonParam() {
    return "?";
  }

  @Override
  public String lockOwnerClause() {
    return "";
  }

  @Override
  public String binaryOrder(String column) {
    return column; // SQLite's default collation (BINARY) already compares bytes
  }

  @Override
  public void setTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    ps.setString(index, TIME.format(time.truncatedTo(ChronoUnit.MICROS)));
  }

  @Override
  public Instant getTime(ResultSet rs, String column) throws SQLException {
    String s = rs.getString(column);
    return java.time.LocalDateTime.parse(s, TIME).toInstant(ZoneOffset.UTC);
  }

  @Override
  public boolean isUnavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException se) {
        // Extended result codes carry the primary code in their low byte.
        return UNAVAILABLE.contains(se.getErrorCode() & 0xff);
      }
    }
    return false;
  }

  @Override
  public boolean isRetryable(SQLException e) {
    return false;
  }

  @Override
  public boolean eventsFromDatabase() {
    return false;
  }
}
