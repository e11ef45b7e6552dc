package io.meshlite.cp.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Hands out connections for one transaction each; hides pooling and the SQLite writer lock. */
interface ConnectionSource extends AutoCloseable {

  /**
   * A connection for one transaction. A write lease may be exclusive (SQLite) and is released by
   * {@link Lease#close()}.
   */
  Lease lease(boolean write) throws SQLException;

  /**
   * Where this source connects, for messages: {@code sqlite /path} or {@code postgres
   * host:port/db}.
   */
  String describe();

  @Override
  void close();

  /** One transaction on one connection. */
  interface Lease extends AutoCloseable {
    Connection connection();

    void commit() throws SQLException;

    /** Rolls back; never throws. */
    void rollback();

    /** Returns the connection; never throws. */
    @Override
    void close();
  }
}
