package io.meshlite.cp.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.cp.store.StoreSettings.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

  @Test
  void postgresDefaultsAreKumas() {
    StoreSettings.Postgres p = StoreSettings.Postgres.builder().build();

    assertThat(p.host()).isEqualTo("127.0.0.1");
    assertThat(p.port()).isEqualTo(15432);
    assertThat(p.user()).isEqualTo("kuma");
    assertThat(p.password()).isEqualTo("kuma");
    assertThat(p.dbName()).isEqualTo("kuma");
    assertThat(p.tlsMode()).isEqualTo(TlsMode.DISABLE);
    assertThat(p.caPath()).isNull();
    assertThat(p.certPath()).isNull();
    assertThat(p.keyPath()).isNull();
    assertThat(p.disableSslSni()).isFalse();
    assertThat(p.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.maxOpenConnections()).isEqualTo(50);
    assertThat(p.maxIdleConnections()).isEqualTo(50);
    assertThat(p.minOpenConnections()).isZero();
    assertThat(p.maxConnectionLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(p.maxConnectionIdleTime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(p.healthCheckInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.minReconnectInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.maxReconnectInterval()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void tlsModesUseKumasNamesAndMapToSslMode() {
    assertThat(TlsMode.parse("disable").sslMode()).isEqualTo("disable");
    assertThat(TlsMode.parse("verifyNone").sslMode()).isEqualTo("require");
    assertThat(TlsMode.parse("verifyCa").sslMode()).isEqualTo("verify-ca");
    assertThat(TlsMode.parse("VERIFYFULL").sslMode()).isEqualTo("verify-full");
    assertThat(TlsMode.VERIFY_CA).hasToString("verifyCa");
    assertThatThrownBy(() -> TlsMode.parse("require"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "store.postgres.tls.mode: \"require\" is not a TLS mode (expected: disable, verifyNone,"
                + " verifyCa or verifyFull)");
  }

  @Test
  void validationNamesEveryBadField() {
    assertThatThrownBy(
            () ->
                StoreSettings.Postgres.builder()
                    .host("")
                    .port(0)
                    .tlsMode(TlsMode.VERIFY_FULL)
                    .certPath(Path.of("/c.pem"))
                    .maxOpenConnections(2)
                    .minOpenConnections(3)
                    .connectionTimeout(Duration.ZERO)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store.postgres.host: must not be empty")
        .hasMessageContaining("store.postgres.port: 0 (expected: 1-65535)")
        .hasMessageContaining("store.postgres.tls.caPath: must be set when tls.mode is verifyFull")
        .hasMessageContaining("tls.keyPath: set both or neither")
        .hasMessageContaining("store.postgres.minOpenConnections: 3")
        .hasMessageContaining("store.postgres.connectionTimeout: PT0S");
  }

  @Test
  void toStringNeverShowsThePassword() {
    StoreSettings.Postgres p = StoreSettings.Postgres.builder().password("hunter2").build();

    assertThat(p.toString()).doesNotContain("hunter2").contains("password=***");
    assertThat(p.toBuilder().build()).isEqualTo(p);
    assertThat(p.describe()).isEqualTo("127.0.0.1:15432/kuma");
    assertThat(p.toBuilder().host("::1").build().describe()).isEqualTo("[::1]:15432/kuma");
  }

  @Test
  void sqliteDefaultsToAFileInTheWorkDir() {
    assertThat(StoreSettings.Sqlite.inWorkDir(Path.of("/home/kuma/.kuma")).path())
        .isEqualTo(Path.of("/home/kuma/.kuma/kuma.db"));
  }

  @Test
  void schemaMessagesAreOneLineThatSayWhatToDo() {
    assertThat(new SchemaVersionException(0, 2))
        .hasMessage(
            "database schema is at version 0, this kuma-cp needs 2: run `kuma-cp migrate up`");
    SchemaVersionException newer = new SchemaVersionException(5, 2);
    assertThat(newer)
        .hasMessage(
            "database schema is at version 5, which is newer than this kuma-cp knows (2); upgrade"
                + " kuma-cp");
    assertThat(newer.newerThanKnown()).isTrue();
    assertThat(newer.current()).isEqualTo(5);
    assertThat(newer.required()).isEqualTo(2);
  }
}
