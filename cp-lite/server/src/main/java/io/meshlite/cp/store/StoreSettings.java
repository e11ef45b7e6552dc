package io.meshlite.cp.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which store kuma-cp uses and how to reach it ({@code store.*} in the config file, {@code
 * KUMA_STORE_*} in the environment). Built once by the config loader, validated by the
 * constructors, passed to {@link StoreFactory}.
 */
public sealed interface StoreSettings {

  /** Kuma's default: everything in memory, lost on restart ({@code KUMA_STORE_TYPE=memory}). */
  record Memory() implements StoreSettings {}

  /**
   * An embedded SQLite file ({@code KUMA_STORE_TYPE=sqlite}, {@code KUMA_STORE_SQLITE_PATH}); not a
   * Kuma store. Migrates itself on start; one kuma-cp per file.
   *
   * @param path the database file; its folder is created when missing
   */
  record Sqlite(Path path) implements StoreSettings {
    public Sqlite {
      Objects.requireNonNull(path, "store.sqlite.path");
    }

    /** {@code <workDir>/kuma.db}, the file used when no path is configured. */
    public static Sqlite inWorkDir(Path workDir) {
      return new Sqlite(workDir.resolve("kuma.db"));
    }
  }

  /**
   * The Kubernetes API server ({@code KUMA_STORE_TYPE=kubernetes}, forced by {@code
   * environment: kubernetes}): resources as custom resources, reached with the in-cluster
   * ServiceAccount or {@code KUBECONFIG}.
   *
   * @param systemNamespace where mesh-wide objects and Secrets live ({@code
   *     KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE}, default kuma-system)
   */
  record Kubernetes(String systemNamespace) implements StoreSettings {
    public Kubernetes {
      if (systemNamespace == null || systemNamespace.isBlank()) {
        throw new IllegalArgumentException("store.kubernetes.systemNamespace: must not be empty");
      }
    }
  }

  /** How the connection to Postgres is secured ({@code store.postgres.tls.mode}). */
  enum TlsMode {
    /** Plain TCP (pgjdbc {@code sslmode=disable}). */
    DISABLE("disable", "disable"),
    /** TLS without checking the server certificate ({@code sslmode=require}). */
    VERIFY_NONE("verifyNone", "require"),
    /** TLS, server certificate signed by the CA in caPath ({@code sslmode=verify-ca}). */
    VERIFY_CA("verifyCa", "verify-ca"),
    /** As verifyCa, and the certificate must name the host ({@code sslmode=verify-full}). */
    VERIFY_FULL("verifyFull", "verify-full");

    private final String kumaName;
    private final String sslMode;

    TlsMode(String kumaName, String sslMode) {
      this.kumaName = kumaName;
      this.sslMode = sslMode;
    }

    /** The value as written in Kuma's config ({@code verifyFull}). */
    public String kumaName() {
      return kumaName;
    }

    /** The libpq / pgjdbc {@code sslmode} this mode maps to. */
    public String sslMode() {
      return sslMode;
    }

    /**
     * Parses Kuma's spelling ({@code disable}, {@code verifyNone}, {@code verifyCa}, {@code
     * verifyFull}); case-insensitive.
     */
    public static TlsMode parse(String value) {
      for (TlsMode m : values()) {
        if (m.kumaName.equalsIgnoreCase(value.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "store.postgres.tls.mode: \""
              + value
              + "\" is not a TLS mode (expected: disable, verifyNone, verifyCa or verifyFull)");
    }

    @Override
    public String toString() {
      return kumaName;
    }
  }

  /**
   * A PostgreSQL database shared by one or more kuma-cp ({@code KUMA_STORE_TYPE=postgres}), with
   * Kuma's {@code store.postgres.*} settings. Requires {@code kuma-cp migrate up} before start. Use
   * {@link #builder()}; {@link #toString()} never shows the password.
   *
   * @param host server host ({@code KUMA_STORE_POSTGRES_HOST}, default 127.0.0.1)
   * @param port server port ({@code KUMA_STORE_POSTGRES_PORT}, default 15432)
   * @param user user name ({@code KUMA_STORE_POSTGRES_USER}, default kuma)
   * @param password password ({@code KUMA_STORE_POSTGRES_PASSWORD}, default kuma)
   * @param dbName database ({@code KUMA_STORE_POSTGRES_DB_NAME}, default kuma)
   * @param tlsMode {@code KUMA_STORE_POSTGRES_TLS_MODE}, default disable
   * @param caPath CA bundle that signs the server certificate ({@code
   *     KUMA_STORE_POSTGRES_TLS_CA_PATH}); required for verifyCa and verifyFull
   * @param certPath client certificate ({@code KUMA_STORE_POSTGRES_TLS_CERT_PATH}), PEM
   * @param keyPath client key ({@code KUMA_STORE_POSTGRES_TLS_KEY_PATH}): PEM (PKCS#1, SEC1 or
   *     PKCS#8), PKCS#8 DER or PKCS#12
   * @param disableSslSni do not send the server name in the TLS handshake ({@code
   *     KUMA_STORE_POSTGRES_TLS_DISABLE_SSLSNI})
   * @param connectionTimeout connect timeout, also the longest a call waits for a pooled connection
   *     ({@code KUMA_STORE_POSTGRES_CONNECTION_TIMEOUT}, seconds, default 5)
   * @param maxOpenConnections pool size ({@code KUMA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS}, default
   *     50)
   * @param maxIdleConnections idle connections kept ({@code
   *     KUMA_STORE_POSTGRES_MAX_IDLE_CONNECTIONS}, default 50)
   * @param minOpenConnections connections kept open even when idle ({@code
   *     KUMA_STORE_POSTGRES_MIN_OPEN_CONNECTIONS}, default 0)
   * @param maxConnectionLifetime a connection is replaced after this ({@code
   *     KUMA_STORE_POSTGRES_MAX_CONNECTION_LIFETIME}, default 1h)
   * @param maxConnectionIdleTime an idle connection above the minimum is closed after this ({@code
   *     KUMA_STORE_POSTGRES_MAX_CONNECTION_IDLE_TIME}, default 30m)
   * @param healthCheckInterval idle connections are probed this often ({@code
   *     KUMA_STORE_POSTGRES_HEALTH_CHECK_INTERVAL}, default 30s)
   * @param minReconnectInterval first wait before the change listener reconnects ({@code
   *     KUMA_STORE_POSTGRES_MIN_RECONNECT_INTERVAL}, default 1s); doubles per failure
   * @param maxReconnectInterval longest wait between listener reconnects ({@code
   *     KUMA_STORE_POSTGRES_MAX_RECONNECT_INTERVAL}, default 1m)
   */
  record Postgres(
      String host,
      int port,
      String user,
      String password,
      String dbName,
      TlsMode tlsMode,
      Path caPath,
      Path certPath,
      Path keyPath,
      boolean disableSslSni,
      Duration connectionTimeout,
      int maxOpenConnections,
      int maxIdleConnections,
      int minOpenConnections,
      Duration maxConnectionLifetime,
      Duration maxConnectionIdleTime,
      Duration healthCheckInterval,
      Duration minReconnectInterval,
      Duration maxReconnectInterval)
      implements StoreSettings {

    public Postgres {
      List<String> errors = new ArrayList<>();
      if (host == null || host.isBlank()) {
        errors.add("store.postgres.host: must not be empty");
      }
      if (port < 1 || port > 65535) {
        errors.add("store.postgres.port: " + port + " (expected: 1-65535)");
      }
      if (user == null || user.isBlank()) {
        errors.add("store.postgres.user: must not be empty");
      }
      if (password == null) {
        password = "";
      }
      if (dbName == null || dbName.isBlank()) {
        errors.add("store.postgres.dbName: must not be empty");
      }
      if (tlsMode == null) {
        tlsMode = TlsMode.DISABLE;
      }
      if ((tlsMode == TlsMode.VERIFY_CA || tlsMode == TlsMode.VERIFY_FULL) && caPath == null) {
        errors.add("store.postgres.tls.caPath: must be set when tls.mode is " + tlsMode);
      }
      if ((certPath == null) != (keyPath == null)) {
        errors.add("store.postgres.tls.certPath and tls.keyPath: set both or neither");
      }
      requirePositive(connectionTimeout, "connectionTimeout", errors);
      requirePositive(maxConnectionLifetime, "maxConnectionLifetime", errors);
      requirePositive(maxConnectionIdleTime, "maxConnectionIdleTime", errors);
      requirePositive(healthCheckInterval, "healthCheckInterval", errors);
      requirePositive(minReconnectInterval, "minReconnectInterval", errors);
      requirePositive(maxReconnectInterval, "maxReconnectInterval", errors);
      if (maxOpenConnections < 1) {
        errors.add(
            "store.postgres.maxOpenConnections: " + maxOpenConnections + " (expected: >= 1)");
      }
      if (minOpenConnections < 0 || minOpenConnections > maxOpenConnections) {
        errors.add(
            "store.postgres.minOpenConnections: "
                + minOpenConnections
                + " (expected: 0 to maxOpenConnections="
                + maxOpenConnections
                + ")");
      }
      if (minReconnectInterval != null
          && maxReconnectInterval != null
          && minReconnectInterval.compareTo(maxReconnectInterval) > 0) {
        errors.add(
            "store.postgres.minReconnectInterval: "
                + minReconnectInterval
                + " (expected: at most maxReconnectInterval="
                + maxReconnectInterval
                + ")");
      }
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", errors));
      }
    }

    private static void requirePositive(Duration d, String field, List<String> errors) {
      if (d == null || d.isNegative() || d.isZero()) {
        errors.add("store.postgres." + field + ": " + d + " (expected: a positive duration)");
      }
    }

    /** A builder preset with Kuma's defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder preset with these settings. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** {@code host:port/dbName}, for messages. */
    public String describe() {
      String h = host.contains(":") ? "[" + host + "]" : host;
      return h + ":" + port + "/" + dbName;
    }

    @Override
    public String toString() {
      return "Postgres[host="
          + host
          + ", port="
          + port
          + ", user="
          + user
          + ", password="
          + (password.isEmpty() ? "" : "***")
          + ", dbName="
          + dbName
          + ", tlsMode="
          + tlsMode
          + ", caPath="
          + caPath
          + ", certPath="
          + certPath
          + ", keyPath="
          + keyPath
          + ", disableSslSni="
          + disableSslSni
          + ", connectionTimeout="
          + connectionTimeout
          + ", maxOpenConnections="
          + maxOpenConnections
          + ", maxIdleConnections="
          + maxIdleConnections
          + ", minOpenConnections="
          + minOpenConnections
          + ", maxConnectionLifetime="
          + maxConnectionLifetime
          + ", maxConnectionIdleTime="
          + maxConnectionIdleTime
          + ", healthCheckInterval="
          + healthCheckInterval
          + ", minReconnectInterval="
          + minReconnectInterval
          + ", maxReconnectInterval="
          + maxReconnectInterval
          + "]";
    }

    /** Builds {@link Postgres} settings; starts from Kuma's defaults. */
    public static final class Builder {
      private String host = "127.0.0.1";
      private int port = 15432;
      private String user = "kuma";
      private String password = "kuma";
      private String dbName = "kuma";
      private TlsMode tlsMode = TlsMode.DISABLE;
      private Path caPath;
      private Path certPath;
      private Path keyPath;
      private boolean disableSslSni;
      private Duration connectionTimeout = Duration.ofSeconds(5);
      private int maxOpenConnections = 50;
      private int maxIdleConnections = 50;
      private int minOpenConnections = 0;
      private Duration maxConnectionLifetime = Duration.ofHours(1);
      private Duration maxConnectionIdleTime = Duration.ofMinutes(30);
      private Duration healthCheckInterval = Duration.ofSeconds(30);
      private Duration minReconnectInterval = Duration.ofSeconds(1);
      private Duration maxReconnectInterval = Duration.ofMinutes(1);

      private Builder() {}

      private Builder(Postgres p) {
        host = p.host;
        port = p.port;
        user = p.user;
        password = p.password;
        dbName = p.dbName;
        tlsMode = p.tlsMode;
        caPath = p.caPath;
        certPath = p.certPath;
        keyPath = p.keyPath;
        disableSslSni = p.disableSslSni;
        connectionTimeout = p.connectionTimeout;
        maxOpenConnections = p.maxOpenConnections;
        maxIdleConnections = p.maxIdleConnections;
        minOpenConnections = p.minOpenConnections;
        maxConnectionLifetime = p.maxConnectionLifetime;
        maxConnectionIdleTime = p.maxConnectionIdleTime;
        healthCheckInterval = p.healthCheckInterval;
        minReconnectInterval = p.minReconnectInterval;
        maxReconnectInterval = p.maxReconnectInterval;
      }

      public Builder host(String v) {
        host = v;
        return this;
      }

      public Builder port(int v) {
        port = v;
        return this;
      }

      public Builder user(String v) {
        user = v;
        return this;
      }

      public Builder password(String v) {
        password = v;
        return this;
      }

      public Builder dbName(String v) {
        dbName = v;
        return this;
      }

      public Builder tlsMode(TlsMode v) {
        tlsMode = v;
        return this;
      }

      public Builder caPath(Path v) {
        caPath = v;
        return this;
      }

      public Builder certPath(Path v) {
        certPath = v;
        return this;
      }

      public Builder keyPath(Path v) {
        keyPath = v;
        return this;
      }

      public Builder disableSslSni(boolean v) {
        disableSslSni = v;
        return this;
      }

      public Builder connectionTimeout(Duration v) {
        connectionTimeout = v;
        return this;
      }

      public Builder maxOpenConnections(int v) {
        maxOpenConnections = v;
        return this;
      }

      public Builder maxIdleConnections(int v) {
        maxIdleConnections = v;
        return this;
      }

      public Builder minOpenConnections(int v) {
        minOpenConnections = v;
        return this;
      }

      public Builder maxConnectionLifetime(Duration v) {
        maxConnectionLifetime = v;
        return this;
      }

      public Builder maxConnectionIdleTime(Duration v) {
        maxConnectionIdleTime = v;
        return this;
      }

      public Builder healthCheckInterval(Duration v) {
        healthCheckInterval = v;
        return this;
      }

      public Builder minReconnectInterval(Duration v) {
        minReconnectInterval = v;
        return this;
      }

      public Builder maxReconnectInterval(Duration v) {
        maxReconnectInterval = v;
        return this;
      }

      /**
       * Validates and builds.
       *
       * @throws IllegalArgumentException naming every invalid field
       */
      public Postgres build() {
        return new Postgres(
            host,
            port,
            user,
            password,
            dbName,
            tlsMode,
            caPath,
            certPath,
            keyPath,
            disableSslSni,
            connectionTimeout,
            maxOpenConnections,
            maxIdleConnections,
            minOpenConnections,
            maxConnectionLifetime,
            maxConnectionIdleTime,
            healthCheckInterval,
            minReconnectInterval,
            maxReconnectInterval);
      }
    }
  }
}
