package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.meshlite.cp.store.StoreSettings;
import io.meshlite.cp.store.StoreSettings.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PgConnectorTest {
  private static final Path CA = Path.of("/etc/kuma/ca.pem");
  private static final Path CERT = Path.of("/etc/kuma/client.pem");
  private static final Path KEY = Path.of("/tmp/client.pk8");

  @Test
  void disableSendsSslmodeDisableAndNoFiles() {
    Properties p =
        PgConnector.driverProperties(
            StoreSettings.Postgres.builder().caPath(CA).certPath(CERT).keyPath(KEY).build(), KEY);

    assertThat(p.getProperty("sslmode")).isEqualTo("disable");
    assertThat(p).doesNotContainKeys("sslrootcert", "sslcert", "sslkey", "sslfactory");
    assertThat(p.getProperty("connectTimeout")).isEqualTo("5");
  }

  @Test
  void verifyModesCarryTheirFiles() {
    for (TlsMode mode : new TlsMode[] {TlsMode.VERIFY_CA, TlsMode.VERIFY_FULL}) {
      Properties p =
          PgConnector.driverProperties(
              StoreSettings.Postgres.builder()
                  .tlsMode(mode)
                  .caPath(CA)
                  .certPath(CERT)
                  .keyPath(KEY)
                  .build(),
              KEY);

      assertThat(p.getProperty("sslmode")).isEqualTo(mode.sslMode());
      assertThat(p.getProperty("sslrootcert")).isEqualTo(CA.toString());
      assertThat(p.getProperty("sslcert")).isEqualTo(CERT.toString());
      assertThat(p.getProperty("sslkey")).isEqualTo(KEY.toString());
      assertThat(p).doesNotContainKey("sslfactory");
    }
  }

  @Test
  void verifyNoneIsRequireAndSniCanBeSwitchedOff() {
    Properties p =
        PgConnector.driverProperties(
            StoreSettings.Postgres.builder()
                .tlsMode(TlsMode.VERIFY_NONE)
                .disableSslSni(true)
                .connectionTimeout(Duration.ofMillis(1500))
                .build(),
            null);

    assertThat(p.getProperty("sslmode")).isEqualTo("require");
    assertThat(p.getProperty("sslfactory")).isEqualTo(NoSniSslSocketFactory.class.getName());
    assertThat(p.getProperty("connectTimeout")).isEqualTo("2");
    assertThat(p).doesNotContainKeys("sslrootcert", "password", "user");
  }

  @Test
  void urlAndPoolFollowTheSettings() {
    StoreSettings.Postgres s =
        StoreSettings.Postgres.builder()
            .host("::1")
            .dbName("kuma db")
            .password("pw-never-logged")
            .maxOpenConnections(7)
            .minOpenConnections(2)
            .connectionTimeout(Duration.ofSeconds(3))
            .maxConnectionLifetime(Duration.ofMinutes(10))
            .maxConnectionIdleTime(Duration.ofMinutes(2))
            .healthCheckInterval(Duration.ofSeconds(45))
            .build();
    try (PgConnector c = new PgConnector(s)) {
      assertThat(c.url()).isEqualTo("jdbc:postgresql://[::1]:15432/kuma%20db");
      assertThat(c.describe()).isEqualTo("postgres store at [::1]:15432/kuma db");
      try (HikariDataSource pool = c.pool()) {
        assertThat(pool.getMaximumPoolSize()).isEqualTo(7);
        assertThat(pool.getMinimumIdle()).isEqualTo(2);
        assertThat(pool.getConnectionTimeout()).isEqualTo(3000);
        assertThat(pool.getMaxLifetime()).isEqualTo(600_000);
        assertThat(pool.getIdleTimeout()).isEqualTo(120_000);
        assertThat(pool.getKeepaliveTime()).isEqualTo(45_000);
        assertThat(pool.isAutoCommit()).isFalse();
        assertThat(pool.getDataSourceProperties()).doesNotContainKey("password");
      }
    }
  }
}
