package io.meshlite.cp.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.SchemaVersionException;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ResourceStore} over Kuma's {@code resources} table, on SQLite or PostgreSQL.
 *
 * <p>Create inserts version 1; update bumps the version only when the stored one matches ({@code
 * UPDATE ... WHERE version = ?}), so of concurrent writers exactly one wins. Mesh-scoped rows point
 * at their Mesh through Kuma's {@code owner_*} foreign key (ON DELETE CASCADE); deleting a Mesh
 * also removes rows of that mesh that were stored before the Mesh existed. Times are kept with
 * microsecond precision.
 *
 * <p>Events: SQLite emits them in-process after commit, in commit order. Postgres emits them only
 * from {@code LISTEN resource_events} (Kuma's trigger), so writes of every kuma-cp on the database
 * arrive the same way, exactly once per listener connection; a local write's event arrives a few
 * milliseconds after the call returned. After a listener reconnect, changes missed while
 * disconnected are announced from a diff of the table (possibly repeating some: harmless).
 */
public final class JdbcStore implements ResourceStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);
  private static final String MESH = ResourceTypes.MESH_TYPE.name();
  private static final int MAX_ATTEMPTS = 3;

  private final SqlDialect dialect;
  private final ConnectionSource connections;
  private final Clock clock;
  private final EventFanout events;
  private final AutoCloseable[] resources;
  private final PgListener listener;
  private volatile boolean closed;

  private JdbcStore(
      SqlDialect dialect,
      ConnectionSource connections,
      Clock clock,
      EventFanout events,
      AutoCloseable... resources) {
    this.dialect = dialect;
    this.connections = connections;
    this.clock = clock;
    this.events = events;
    this.resources = resources;
    PgListener l = null;
    for (AutoCloseable r : resources) {
      if (r instanceof PgListener pl) {
        l = pl;
      }
    }
    this.listener = l;
  }

  /** True unless this store's Postgres change listener is disconnected. */
  public boolean listening() {
    return listener == null || listener.connected();
  }

  /** The Postgres backend pid of the change listener (0 if none); for tests. */
  int listenerPid() {
    return listener == null ? 0 : listener.backendPid();
  }

  /**
   * Opens (and migrates) a SQLite file.
   *
   * @throws SchemaVersionException the file was written by a newer kuma-cp
   * @throws StoreException.Unavailable the file is locked by another kuma-cp or cannot be opened
   */
  public static JdbcStore openSqlite(StoreSettings.Sqlite settings, Clock clock) {
    SqliteConnections conns = SqliteConnections.lock(settings.path());
    try {
      String outcome =
          new Migrator(conns.migrationSource(), SqliteDialect.INSTANCE, conns.describe(), null)
              .migrateUp();
      log.info("store opened type=sqlite path={} schema=\"{}\"", conns.path(), outcome);
      conns.connect();
      return new JdbcStore(SqliteDialect.INSTANCE, conns, clock, new EventFanout());
    } catch (SQLException e) {
      conns.close();
      throw new StoreException.Unavailable(
          conns.describe() + " cannot be opened: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      conns.close();
      throw e;
    }
  }

  /**
   * Connects to Postgres, checks the schema version and starts the change listener; returns once
   * the listener is connected.
   *
   * @throws SchemaVersionException the database is not at this kuma-cp's schema version
   * @throws StoreException.Unavailable the database cannot be reached
   */
  public static JdbcStore openPostgres(StoreSettings.Postgres settings, Clock clock) {
    PgConnector connector = new PgConnector(settings);
    PooledConnections pool = null;
    PgListener listener = null;
    try {
      try (Migrator m =
          new Migrator(
              connector.dataSource(), PostgresDialect.INSTANCE, connector.describe(), null)) {
        m.checkSchema();
      }
      pool = new PooledConnections(connector.pool(), connector.describe());
      EventFanout events = new EventFanout();
      listener = new PgListener(connector, events, settings);
      listener.start();
      Duration wait = settings.connectionTimeout().multipliedBy(2).plusSeconds(1);
      if (!listener.awaitConnected(wait)) {
        throw new StoreException.Unavailable(
            connector.describe()
                + " is unavailable: the change listener could not connect within "
                + wait.toMillis()
                + "ms"
                + listener.lastError().map(e -> ": " + e).orElse(""),
            null);
      }
      log.info(
          "store opened type=postgres target={} tls={}", connector.describe(), settings.tlsMode());
      return new JdbcStore(PostgresDialect.INSTANCE, pool, clock, events, listener, connector);
    } catch (RuntimeException e) {
      closeQuietly(listener);
      closeQuietly(pool);
      closeQuietly(connector);
      throw e;
    }
  }

  @Override
  public Resource create(Resource r) {
    Instant now = now();
    Resource stored = r.withMeta(r.meta().withVersion(1).withTimes(now, now));
    ResourceKey key = r.key();
    return inTx(
        true,
        "create " + key,
        (c, evs) -> {
          boolean owned = false;
          if (r.type().meshScoped()) {
            owned = meshExists(c, r.mesh());
          }
          String sql =
              "INSERT INTO resources (name, mesh, type, version, spec, creation_time,"
                  + " modification_time, owner_name, owner_mesh, owner_type, labels)"
                  + " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, "
                  + dialect.jsonParam()
                  + ") ON CONFLICT DO NOTHING";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key.name());
            ps.setString(2, key.mesh());
            ps.setString(3, key.type());
            ps.setString(4, toJson(r.spec()));
            dialect.setTime(ps, 5, now);
            dialect.setTime(ps, 6, now);
            ps.setString(7, owned ? r.mesh() : null);
            ps.setString(8, owned ? "" : null);
            ps.setString(9, owned ? MESH : null);
            ps.setString(10, toJson(r.meta().labels()));
            if (ps.executeUpdate() == 0) {
              throw new StoreException.AlreadyExists(key);
            }
          }
          evs.add(new StoreEvent(StoreEvent.Kind.CREATED, key));
          return stored;
        });
  }

  @Override
  public Resource update(Resource r) {
    Instant now = now();
    ResourceKey key = r.key();
    long expected = r.meta().version();
    return inTx(
        true,
        "update " + key,
        (c, evs) -> {
          String sql =
              "UPDATE resources SET spec = ?, version = version + 1, modification_time = ?,"
                  + " labels = "
                  + dialect.jsonParam()
                  + " WHERE name = ? AND mesh = ? AND type = ? AND version = ?"
                  + " RETURNING version, creation_time";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, toJson(r.spec()));
            dialect.setTime(ps, 2, now);
            ps.setString(3, toJson(r.meta().labels()));
            ps.setString(4, key.name());
            ps.setString(5, key.mesh());
            ps.setString(6, key.type());
            ps.setLong(7, expected);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                long version = rs.getLong("version");
                Instant created = dialect.getTime(rs, "creation_time");
                evs.add(new StoreEvent(StoreEvent.Kind.UPDATED, key));
                return r.withMeta(r.meta().withVersion(version).withTimes(created, now));
              }
            }
          }
          Optional<Long> actual = storedVersion(c, key);
          if (actual.isEmpty()) {
            throw new StoreException.NotFound(key);
          }
          throw new StoreException.Conflict(key, expected, actual.get());
        });
  }

  @Override
  public void delete(ResourceKey key) {
    inTx(
        true,
        "delete " + key,
        (c, evs) -> {
          List<ResourceKey> children = new ArrayList<>();
          boolean mesh = key.type().equals(MESH) && !key.name().isEmpty();
          if (mesh) {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT type, mesh, name FROM resources WHERE mesh = ?")) {
              ps.setString(1, key.name());
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  children.add(
                      new ResourceKey(
                          rs.getString("type"), rs.getString("mesh"), rs.getString("name")));
                }
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM resources WHERE name = ? AND mesh = ? AND type = ?")) {
            ps.setString(1, key.name());
            ps.setString(2, key.mesh());
            ps.setString(3, key.type());
            if (ps.executeUpdate() == 0) {
              throw new StoreException.NotFound(key);
            }
          }
          if (key.type().equals(ResourceTypes.DATAPLANE.name())) {
            // A Dataplane owns its DataplaneInsight (same mesh and name).
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM resources WHERE name = ? AND mesh = ? AND type = ?")) {
              ps.setString(1, key.name());
              ps.setString(2, key.mesh());
              ps.setString(3, ResourceTypes.DATAPLANE_INSIGHT.name());
              if (ps.executeUpdate() > 0) {
                children.add(new ResourceKey(ResourceTypes.DATAPLANE_INSIGHT.name(), key.mesh(), key.name()));
              }
            }
          }
          if (mesh) {
            // The owner FK cascaded to rows created while the Mesh existed; rows stored before it
            // existed have no owner and go here.
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM resources WHERE mesh = ?")) {
              ps.setString(1, key.name());
              ps.executeUpdate();
            }
          }
          children.forEach(k -> evs.add(new StoreEvent(StoreEvent.Kind.DELETED, k)));
          evs.add(new StoreEvent(StoreEvent.Kind.DELETED, key));
          return null;
        });
  }

  @Override
  public Optional<Resource> get(ResourceKey key) {
    Optional<ResourceType> type = ResourceTypes.byName(key.type());
    if (type.isEmpty()) {
      return Optional.empty();
    }
    return inTx(
        false,
        "get " + key,
        (c, evs) -> {
          String sql =
              "SELECT mesh, name, version, spec, creation_time, modification_time, labels"
                  + " FROM resources WHERE name = ? AND mesh = ? AND type = ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key.name());
            ps.setString(2, key.mesh());
            ps.setString(3, key.type());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(read(type.get(), rs)) : Optional.<Resource>empty();
            }
          }
        });
  }

  @Override
  public List<Resource> list(ResourceType type, String mesh) {
    return inTx(
        false,
        "list " + type.name() + (mesh == null ? "" : " in mesh " + mesh),
        (c, evs) -> {
          String sql =
              "SELECT mesh, name, version, spec, creation_time, modification_time, labels"
                  + " FROM resources WHERE type = ?"
                  + (mesh == null ? "" : " AND mesh = ?")
                  + " ORDER BY "
                  + dialect.binaryOrder("mesh")
                  + ", "
                  + dialect.binaryOrder("name");
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, type.name());
            if (mesh != null) {
              ps.setString(2, mesh);
            }
            List<Resource> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(read(type, rs));
              }
            }
            return List.copyOf(out);
          }
        });
  }

  @Override
  public Subscription subscribe(Consumer<StoreEvent> listener) {
    return events.subscribe(listener);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable r : resources) {
      closeQuietly(r);
    }
    connections.close();
  }

  private boolean meshExists(Connection c, String mesh) throws SQLException {
    String sql =
        "SELECT 1 FROM resources WHERE name = ? AND mesh = '' AND type = ?"
            + dialect.lockOwnerClause();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, mesh);
      ps.setString(2, MESH);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Optional<Long> storedVersion(Connection c, ResourceKey key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version FROM resources WHERE name = ? AND mesh = ? AND type = ?")) {
      ps.setString(1, key.name());
      ps.setString(2, key.mesh());
      ps.setString(3, key.type());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private Resource read(ResourceType type, ResultSet rs) throws SQLException {
    ResourceMeta meta =
        new ResourceMeta(
            rs.getLong("version"),
            dialect.getTime(rs, "creation_time"),
            dialect.getTime(rs, "modification_time"),
            labels(rs.getString("labels")));
    return new Resource(
        type, rs.getString("mesh"), rs.getString("name"), meta, spec(rs.getString("spec")));
  }

  private static ObjectNode spec(String text) {
    if (text == null || text.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      JsonNode n = Json.mapper().readTree(text);
      if (n instanceof ObjectNode o) {
        return o;
      }
      throw new IllegalStateException("stored spec is not a JSON object: " + abbreviate(text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored spec is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static Map<String, String> labels(String text) {
    if (text == null || text.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode n = Json.mapper().readTree(text);
      n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored labels are not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String toJson(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise to JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  @FunctionalInterface
  private interface TxWork<T> {
    T run(Connection c, List<StoreEvent> events) throws SQLException;
  }

  /**
   * Runs one transaction. Retries serialisation failures; retries a read once when its pooled
   * connection turned out dead (a write is never retried: it may have committed). In-process events
   * are queued before the write lease is released and delivered after.
   */
  private <T> T inTx(boolean write, String what, TxWork<T> work) {
    if (closed) {
      throw new IllegalStateException(connections.describe() + " is closed");
    }
    for (int attempt = 1; ; attempt++) {
      List<StoreEvent> evs = new ArrayList<>();
      try {
        try (ConnectionSource.Lease lease = connections.lease(write)) {
          T result;
          try {
            result = work.run(lease.connection(), evs);
            lease.commit();
          } catch (SQLException | RuntimeException e) {
            lease.rollback();
            throw e;
          }
          if (write && !dialect.eventsFromDatabase()) {
            events.enqueue(evs);
          }
          return result;
        } finally {
          if (write) {
            events.drain();
          }
        }
      } catch (SQLException e) {
        // A pool timeout means the database is down: failing now is the point. A dead pooled
        // connection (server restarted) is worth one more try for a read.
        boolean staleConnection =
            !write
                && attempt == 1
                && dialect.isUnavailable(e)
                && !(e instanceof SQLTransientConnectionException);
        boolean retry = attempt < MAX_ATTEMPTS && (dialect.isRetryable(e) || staleConnection);
        if (!retry) {
          throw translate(e, what);
        }
        log.debug("store retry op=\"{}\" attempt={} error={}", what, attempt, e.toString());
      }
    }
  }

  private RuntimeException translate(SQLException e, String what) {
    if (dialect.isUnavailable(e)) {
      return new StoreException.Unavailable(Errors.unavailable(connections.describe(), what, e), e);
    }
    return new IllegalStateException(
        connections.describe() + ": " + what + " failed: " + Errors.rootMessage(e), e);
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
