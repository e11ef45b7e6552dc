package io.meshlite.cp.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreSettings;
import io.meshlite.cp.store.StoreSettings.TlsMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * Turns {@link StoreSettings.Postgres} into pgjdbc connection properties (Kuma's TLS modes mapped
 * to {@code sslmode}) and makes the pool, single connections for migrations and the listener.
 *
 * <p>pgjdbc reads client keys only as PKCS#8 (DER, or PEM "BEGIN PRIVATE KEY") or PKCS#12 and
 * insists on 0600 permissions; Kuma users have PEM keys in any form. So every key that is not
 * PKCS#12 is converted to PKCS#8 DER in a private temporary file, deleted on {@link #close()}.
 */
final class PgConnector implements AutoCloseable {
  private final StoreSettings.Postgres settings;
  private final String url;
  private final Properties properties;
  private final Path convertedKey;
  private final Driver driver = new Driver();

  PgConnector(StoreSettings.Postgres settings) {
    this.settings = settings;
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    this.url =
        "jdbc:postgresql://"
            + host
            + ":"
            + settings.port()
            + "/"
            + URLEncoder.encode(settings.dbName(), StandardCharsets.UTF_8).replace("+", "%20");
    Path key = null;
    if (settings.keyPath() != null && settings.tlsMode() != TlsMode.DISABLE) {
      try {
        key = ClientKeys.toPgjdbcKey(settings.keyPath());
      } catch (IOException | IllegalArgumentException e) {
        throw new StoreException.Unavailable(
            "store.postgres.tls.keyPath: cannot read client key "
                + settings.keyPath()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    this.convertedKey = key != null && !key.equals(settings.keyPath()) ? key : null;
    this.properties = driverProperties(settings, key);
  }

  /** The pgjdbc properties (without user and password), visible for tests. */
  static Properties driverProperties(StoreSettings.Postgres s, Path key) {
    Properties p = new Properties();
    p.setProperty("sslmode", s.tlsMode().sslMode());
    if (s.tlsMode() != TlsMode.DISABLE) {
      if (s.caPath() != null) {
        p.setProperty("sslrootcert", s.caPath().toString());
      }
      if (s.certPath() != null) {
        p.setProperty("sslcert", s.certPath().toString());
      }
      if (key != null) {
        p.setProperty("sslkey", key.toString());
      }
      if (s.disableSslSni()) {
        p.setProperty("sslfactory", NoSniSslSocketFactory.class.getName());
      }
    }
    p.setProperty("connectTimeout", Long.toString(ceilSeconds(s.connectionTimeout())));
    p.setProperty("loginTimeout", Long.toString(ceilSeconds(s.connectionTimeout())));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "kuma-cp");
    return p;
  }

  private static long ceilSeconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  String url() {
    return url;
  }

  /** {@code postgres store at host:port/db}, for messages. */
  String describe() {
    return "postgres store at " + settings.describe();
  }

  /** A new connection outside the pool (auto-commit on). */
  Connection connect(String applicationName, Duration socketTimeout) throws SQLException {
    Properties p = new Properties();
    p.putAll(properties);
    p.setProperty("user", settings.user());
    p.setProperty("password", settings.password());
    p.setProperty("ApplicationName", applicationName);
    if (socketTimeout != null) {
      p.setProperty("socketTimeout", Long.toString(ceilSeconds(socketTimeout)));
    }
    Connection c = driver.connect(url, p);
    if (c == null) {
      throw new SQLException("pgjdbc does not accept " + url, "08001");
    }
    return c;
  }

  /** A pool sized and timed by the settings; it connects lazily. */
  HikariDataSource pool() {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("kuma-store");
    hc.setDriverClassName(Driver.class.getName());
    hc.setJdbcUrl(url);
    hc.setUsername(settings.user());
    hc.setPassword(settings.password());
    properties.forEach((k, v) -> hc.addDataSourceProperty((String) k, v));
    hc.setAutoCommit(false);
    hc.setMaximumPoolSize(settings.maxOpenConnections());
    hc.setMinimumIdle(
        Math.min(settings.minOpenConnections(), Math.max(0, settings.maxIdleConnections())));
    long connectMs = Math.max(250, settings.connectionTimeout().toMillis());
    hc.setConnectionTimeout(connectMs);
    hc.setValidationTimeout(Math.max(250, Math.min(5_000, connectMs / 2)));
    long lifetime = Math.max(30_000, settings.maxConnectionLifetime().toMillis());
    hc.setMaxLifetime(lifetime);
    hc.setIdleTimeout(Math.max(10_000, settings.maxConnectionIdleTime().toMillis()));
    long keepalive = settings.healthCheckInterval().toMillis();
    hc.setKeepaliveTime(keepalive >= 30_000 && keepalive < lifetime ? keepalive : 0);
    hc.setInitializationFailTimeout(
        -1); // start even when the database is down; calls fail with 503
    return new HikariDataSource(hc);
  }

  /** A data source that opens a fresh connection per call (for Flyway). */
  DataSource dataSource() {
    return new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        return connect("kuma-cp-migrate", null);
      }

      @Override
      public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials come from the store settings");
      }

      @Override
      public PrintWriter getLogWriter() {
        return null;
      }

      @Override
      public void setLogWriter(PrintWriter out) {}

      @Override
      public void setLoginTimeout(int seconds) {}

      @Override
      public int getLoginTimeout() {
        return (int) ceilSeconds(settings.connectionTimeout());
      }

      @Override
      public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
      }

      @Override
      public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
      }

      @Override
      public boolean isWrapperFor(Class<?> iface) {
        return false;
      }
    };
  }

  @Override
  public void close() {
    if (convertedKey != null) {
      try {
        Files.deleteIfExists(convertedKey);
      } catch (IOException e) {
        // a 0600 temp file; deleteOnExit was registered as well
      }
    }
  }
}
