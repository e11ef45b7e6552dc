package io.meshlite.cp.store.jdbc;

import io.meshlite.cp.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * One SQLite file: a single writer connection behind a lock (SQLite allows one writer anyway) and a
 * few reader connections, which WAL lets run beside the writer. Every connection uses {@code
 * synchronous=FULL}, so a commit that returned is on disk and survives kill -9 or a power cut.
 *
 * <p>A lock file next to the database keeps a second kuma-cp off the same file.
 */
final class SqliteConnections implements ConnectionSource {
  private static final Logger log = LoggerFactory.getLogger(SqliteConnections.class);
  private static final int READERS = 4;

  private final Path path;
  private final SQLiteDataSource writeSource;
  private final SQLiteDataSource readSource;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final BlockingQueue<Connection> idleReaders = new ArrayBlockingQueue<>(READERS);
  private final List<Connection> allReaders = new ArrayList<>();
  private Connection writer;
  private boolean closed;

  private SqliteConnections(Path path, FileChannel lockChannel, FileLock fileLock) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
    this.writeSource = dataSource(path);
    this.readSource = dataSource(path);
  }

  /**
   * Locks the database file for this process. Call {@link #connect()} once the schema is migrated.
   *
   * @throws StoreException.Unavailable if the file is in use by another kuma-cp or cannot be made
   */
  static SqliteConnections lock(Path file) {
    Path path = file.toAbsolutePath().normalize();
    Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new StoreException.Unavailable(
            "sqlite store "
                + path
                + " is in use by another kuma-cp (lock "
                + lockFile
                + "): stop it or set KUMA_STORE_SQLITE_PATH to another file",
            null);
      }
      return new SqliteConnections(path, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException.Unavailable(
          "sqlite store " + path + " cannot be opened: " + e.getMessage(), e);
    }
  }

  /** A data source for this file, used by the migrator. */
  SQLiteDataSource migrationSource() {
    return writeSource;
  }

  Path path() {
    return path;
  }

  /** Opens the writer connection. */
  synchronized void connect() throws SQLException {
    if (writer == null) {
      writer = writeSource.getConnection();
    }
  }

  static SQLiteDataSource dataSource(Path path) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(10_000);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + path);
    return ds;
  }

  @Override
  public Lease lease(boolean write) throws SQLException {
    return write ? writeLease() : readLease();
  }

  private Lease writeLease() throws SQLException {
    writeLock.lock();
    try {
      Connection c = writerConnection();
      exec(c, "BEGIN IMMEDIATE");
      return new Lease() {
        private boolean open = true;

        @Override
        public Connection connection() {
          return c;
        }

        @Override
        public void commit() throws SQLException {
          exec(c, "COMMIT");
          open = false;
        }

        @Override
        public void rollback() {
          if (open) {
            open = false;
            try {
              exec(c, "ROLLBACK");
            } catch (SQLException e) {
              log.warn("sqlite rollback failed path={} error={}", path, e.toString());
            }
          }
        }

        @Override
        public void close() {
          rollback();
          writeLock.unlock();
        }
      };
    } catch (SQLException | RuntimeException e) {
      writeLock.unlock();
      throw e;
    }
  }

  private synchronized Connection writerConnection() throws SQLException {
    if (closed) {
      throw new IllegalStateException("sqlite store " + path + " is closed");
    }
    if (writer == null) {
      writer = writeSource.getConnection();
    }
    return writer;
  }

  private Lease readLease() throws SQLException {
    Connection c = idleReaders.poll();
    if (c == null) {
      c = newReaderOrNull();
    }
    if (c == null) {
      try {
        c = idleReaders.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException.Unavailable("interrupted while waiting for a connection", e);
      }
    }
    Connection conn = c;
    return new Lease() {
      @Override
      public Connection connection() {
        return conn;
      }

      @Override
      public void commit() {}

      @Override
      public void rollback() {}

      @Override
      public void close() {
        if (!idleReaders.offer(conn)) {
          closeQuietly(conn);
        }
      }
    };
  }

  private synchronized Connection newReaderOrNull() throws SQLException {
    if (closed) {
      throw new IllegalStateException("sqlite store " + path + " is closed");
    }
    if (allReaders.size() >= READERS) {
      return null;
    }
    Connection c = readSource.getConnection();
    exec(c, "PRAGMA query_only = 1");
    allReaders.add(c);
    return c;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public String describe() {
    return "sqlite store " + path;
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        allReaders.forEach(SqliteConnections::closeQuietly);
        closeQuietly(writer);
      }
    } finally {
      writeLock.unlock();
    }
    releaseLock();
  }

  /** Releases the file lock (also used when opening fails before {@link #connect()}). */
  void releaseLock() {
    try {
      if (fileLock.isValid()) {
        fileLock.release();
      }
    } catch (IOException e) {
      log.warn("sqlite lock release failed path={} error={}", path, e.toString());
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("close failed: {}", e.toString());
      }
    }
  }
}
