package io.meshlite.cp.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code NOTIFY resource_events} (sent by Kuma's {@code notify_event()} trigger for every row
 * written by any kuma-cp) into {@link StoreEvent}s, on one dedicated connection and one thread.
 *
 * <p>When the connection drops it reconnects with exponential backoff (min/max reconnect interval).
 * Notifications sent while it was away are lost, so it keeps a small index (key → version, -1 when
 * only a notification told us it changed) and after reconnecting announces the difference between
 * that index and the table: rows that appeared (CREATED), changed (UPDATED) or vanished (DELETED).
 * LISTEN is issued before that snapshot is read, so nothing falls in between; at worst a change is
 * announced twice, which the reconciler tolerates.
 */
final class PgListener implements AutoCloseable {
  static final String CHANNEL = "resource_events";
  private static final Logger log = LoggerFactory.getLogger(PgListener.class);
  private static final int POLL_MILLIS = 250;

  private final PgConnector connector;
  private final EventFanout events;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration probeInterval;
  private final Duration socketTimeout;
  private final CountDownLatch firstConnect = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean connected;
  private volatile String lastError;
  private volatile Connection connection;
  private volatile int backendPid;

  /** Known rows; touched by the listener thread only. Null until the first snapshot. */
  private Map<ResourceKey, Long> index;

  PgListener(PgConnector connector, EventFanout events, StoreSettings.Postgres settings) {
    this.connector = connector;
    this.events = events;
    this.minBackoff = settings.minReconnectInterval();
    this.maxBackoff = settings.maxReconnectInterval();
    this.probeInterval = settings.healthCheckInterval();
    this.socketTimeout = settings.connectionTimeout().plus(settings.healthCheckInterval());
    this.thread = Thread.ofPlatform().daemon().name("store-pg-listener").unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Waits until LISTEN is active the first time. */
  boolean awaitConnected(Duration timeout) {
    try {
      return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True while LISTEN is active. */
  boolean connected() {
    return connected;
  }

  /** The server process of the listening connection (0 when not connected); for tests. */
  int backendPid() {
    return connected ? backendPid : 0;
  }

  Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  private void run() {
    Duration backoff = minBackoff;
    while (running) {
      try (Connection c = connector.connect("kuma-cp-listener", socketTimeout)) {
        connection = c;
        backendPid = c.unwrap(PGConnection.class).getBackendPID();
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        resync(c);
        connected = true;
        lastError = null;
        backoff = minBackoff;
        firstConnect.countDown();
        log.info("store listener connected target={} channel={}", connector.describe(), CHANNEL);
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          break;
        }
        String msg = Errors.rootMessage(e);
        if (connected || lastError == null) {
          log.warn(
              "store listener disconnected target={} retry_in={} error=\"{}\"",
              connector.describe(),
              backoff,
              msg);
        } else {
          log.debug("store listener reconnect failed retry_in={} error=\"{}\"", backoff, msg);
        }
        lastError = msg;
      } finally {
        connected = false;
        connection = null;
      }
      if (!running || sleep(backoff)) {
        break;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }
    log.debug("store listener stopped");
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextProbe = System.nanoTime() + probeInterval.toNanos();
    while (running) {
      PGNotification[] ns = pg.getNotifications(POLL_MILLIS);
      if (ns != null) {
        for (PGNotification n : ns) {
          handle(n);
        }
      }
      if (System.nanoTime() - nextProbe > 0) {
        // getNotifications cannot tell a silent half-open socket from a quiet database
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        nextProbe = System.nanoTime() + probeInterval.toNanos();
      }
    }
  }

  private void handle(PGNotification n) {
    if (!CHANNEL.equals(n.getName())) {
      return;
    }
    try {
      JsonNode root = Json.mapper().readTree(n.getParameter());
      JsonNode data = root.path("data");
      ResourceKey key =
          new ResourceKey(
              data.path("type").asText(), data.path("mesh").asText(""), data.path("name").asText());
      StoreEvent.Kind kind =
          switch (root.path("action").asText()) {
            case "INSERT" -> StoreEvent.Kind.CREATED;
            case "UPDATE" -> StoreEvent.Kind.UPDATED;
            case "DELETE" -> StoreEvent.Kind.DELETED;
            default -> null;
          };
      if (kind == null || key.type().isEmpty() || key.name().isEmpty()) {
        log.warn("store listener ignored notification payload=\"{}\"", n.getParameter());
        return;
      }
      if (kind == StoreEvent.Kind.DELETED) {
        index.remove(key);
      } else {
        index.put(key, -1L);
      }
      events.deliver(new StoreEvent(kind, key));
    } catch (Exception e) {
      log.warn(
          "store listener ignored notification payload=\"{}\" error={}",
          n.getParameter(),
          e.toString());
    }
  }

  /** Reads every key and version; after a reconnect announces what changed meanwhile. */
  private void resync(Connection c) throws SQLException {
    Map<ResourceKey, Long> now = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT type, mesh, name, version FROM resources")) {
      while (rs.next()) {
        now.put(new ResourceKey(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getLong(4));
      }
    }
    Map<ResourceKey, Long> before = index;
    index = now;
    if (before == null) {
      return;
    }
    int announced = 0;
    for (Map.Entry<ResourceKey, Long> e : now.entrySet()) {
      Long old = before.get(e.getKey());
      if (old == null) {
        events.deliver(new StoreEvent(StoreEvent.Kind.CREATED, e.getKey()));
        announced++;
      } else if (!old.equals(e.getValue())) {
        events.deliver(new StoreEvent(StoreEvent.Kind.UPDATED, e.getKey()));
        announced++;
      }
    }
    for (ResourceKey k : before.keySet()) {
      if (!now.containsKey(k)) {
        events.deliver(new StoreEvent(StoreEvent.Kind.DELETED, k));
        announced++;
      }
    }
    log.info("store listener resynced rows={} announced={}", now.size(), announced);
  }

  /** Sleeps unless closed; returns true when closed meanwhile. */
  private boolean sleep(Duration d) {
    try {
      return stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public void close() {
    running = false;
    stopped.countDown();
    try {
      thread.join(Duration.ofMillis(POLL_MILLIS * 4L));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Connection c = connection;
    if (thread.isAlive() && c != null) {
      try {
        c.close(); // unblocks a read stuck on a dead socket
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }
}
