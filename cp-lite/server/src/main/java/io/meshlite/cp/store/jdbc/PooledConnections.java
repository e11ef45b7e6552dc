package io.meshlite.cp.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** Connections from a HikariCP pool, one per transaction, auto-commit off. */
final class PooledConnections implements ConnectionSource {
  private final HikariDataSource pool;
  private final String description;

  PooledConnections(HikariDataSource pool, String description) {
    this.pool = pool;
    this.description = description;
  }

  @Override
  public Lease lease(boolean write) throws SQLException {
    if (pool.isClosed()) {
      throw new IllegalStateException(description + " is closed");
    }
    Connection c = pool.getConnection();
    return new Lease() {
      private boolean open = true;

      @Override
      public Connection connection() {
        return c;
      }

      @Override
      public void commit() throws SQLException {
        c.commit();
        open = false;
      }

      @Override
      public void rollback() {
        if (open) {
          open = false;
          try {
            c.rollback();
          } catch (SQLException e) {
            // The connection is broken; the pool evicts it on close.
          }
        }
      }

      @Override
      public void close() {
        rollback();
        try {
          c.close();
        } catch (SQLException e) {
          // returned to the pool or evicted; nothing to do
        }
      }
    };
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    pool.close();
  }
}
