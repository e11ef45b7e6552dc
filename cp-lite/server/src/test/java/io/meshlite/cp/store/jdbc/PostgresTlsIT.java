package io.meshlite.cp.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import io.meshlite.cp.store.StoreSettings.TlsMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kuma's TLS modes against a server that requires TLS and client certificates ({@code hostssl ...
 * cert}): the CA, server and client certificates are made here.
 */
class PostgresTlsIT {
  private static final TestPki PKI = TestPki.create("meshlite test CA");
  private static final TestPki.Issued SERVER = PKI.server("localhost", "localhost", "127.0.0.1");
  private static final TestPki.Issued OTHER = PKI.server("otherhost", "otherhost");
  private static final TestPki.Issued CLIENT = PKI.client("postgres");
  private static final TestPki STRANGER = TestPki.create("some other CA");

  @RegisterExtension
  static final PostgresFixture pg =
      new PostgresFixture(
          p -> {
            p.writePrivateFile("ca.crt", PKI.ca().certPem().getBytes(StandardCharsets.US_ASCII));
            p.writePrivateFile("server.crt", SERVER.certPem().getBytes(StandardCharsets.US_ASCII));
            p.writePrivateFile(
                "server.key", SERVER.pkcs8KeyPem().getBytes(StandardCharsets.US_ASCII));
            p.writePrivateFile("other.crt", OTHER.certPem().getBytes(StandardCharsets.US_ASCII));
            p.writePrivateFile(
                "other.key", OTHER.pkcs8KeyPem().getBytes(StandardCharsets.US_ASCII));
            p.appendConf(
                "ssl = on",
                "ssl_cert_file = 'server.crt'",
                "ssl_key_file = 'server.key'",
                "ssl_ca_file = 'ca.crt'");
            p.writeHba(
                "local all all trust",
                "hostssl all all 127.0.0.1/32 cert",
                "host all all 127.0.0.1/32 reject");
          });

  private static Path caFile;
  private static Path strangerCaFile;
  private static Path certFile;
  private static Path pkcs1KeyFile;

  @BeforeAll
  static void clientFiles() throws Exception {
    Path d = pg.workDir();
    caFile = Files.writeString(d.resolve("ca.pem"), PKI.ca().certPem());
    strangerCaFile = Files.writeString(d.resolve("stranger-ca.pem"), STRANGER.ca().certPem());
    certFile = Files.writeString(d.resolve("client.crt"), CLIENT.certPem());
    // PKCS#1 PEM and world-readable: pgjdbc takes neither, the store converts it.
    pkcs1KeyFile = Files.writeString(d.resolve("client.key"), CLIENT.pkcs1KeyPem());
    Files.setPosixFilePermissions(pkcs1KeyFile, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(CLIENT.pkcs1KeyPem()).contains("BEGIN RSA PRIVATE KEY");
    StoreFactory.migrate(settings(TlsMode.VERIFY_FULL).build());
  }

  private static StoreSettings.Postgres.Builder settings(TlsMode mode) {
    return pg.settings("postgres")
        .tlsMode(mode)
        .caPath(mode == TlsMode.VERIFY_NONE || mode == TlsMode.DISABLE ? null : caFile)
        .certPath(certFile)
        .keyPath(pkcs1KeyFile);
  }

  @Test
  void verifyFullWithAClientCertificateWorks() throws Exception {
    assertWorksOverTls(settings(TlsMode.VERIFY_FULL).build());
  }

  @Test
  void verifyCaWorks() throws Exception {
    assertWorksOverTls(settings(TlsMode.VERIFY_CA).build());
  }

  @Test
  void verifyNoneWorks() throws Exception {
    assertWorksOverTls(settings(TlsMode.VERIFY_NONE).build());
  }

  @Test
  void verifyFullWithoutSniWorks() throws Exception {
    assertWorksOverTls(settings(TlsMode.VERIFY_FULL).disableSslSni(true).build());
  }

  @Test
  void aServerSignedByAnotherCaIsRejected() {
    StoreSettings.Postgres s = settings(TlsMode.VERIFY_CA).caPath(strangerCaFile).build();

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("TLS check failed");
  }

  @Test
  void plainTcpIsRejectedByTheServer() {
    StoreSettings.Postgres s = settings(TlsMode.DISABLE).build();

    assertThatThrownBy(() -> StoreFactory.open(s, Clock.systemUTC()))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("pg_hba.conf");
  }

  @Test
  void verifyFullRejectsACertificateForAnotherHost() throws Exception {
    switchServerCertificate("other.crt", "other.key");
    try {
      StoreSettings.Postgres full = settings(TlsMode.VERIFY_FULL).build();
      assertThatThrownBy(() -> StoreFactory.open(full, Clock.systemUTC()))
          .isInstanceOf(StoreException.Unavailable.class)
          .hasMessageContaining(
              "postgres store at 127.0.0.1:" + pg.port() + "/postgres is unavailable")
          .hasMessageContaining("TLS check failed")
          .hasMessageContaining("127.0.0.1")
          .hasMessageContaining("could not be verified");
      // The same certificate is fine when only the CA is checked.
      assertWorksOverTls(settings(TlsMode.VERIFY_CA).build());
    } finally {
      switchServerCertificate("server.crt", "server.key");
    }
  }

  private static void assertWorksOverTls(StoreSettings.Postgres s) throws Exception {
    try (ResourceStore store = StoreFactory.open(s, Clock.systemUTC())) {
      String name =
          "tls-" + s.tlsMode().kumaName().toLowerCase() + (s.disableSslSni() ? "-nosni" : "");
      Resource m =
          store.create(
              new Resource(
                  ResourceTypes.MESH_TYPE,
                  "",
                  name,
                  ResourceMeta.draft(Map.of()),
                  JsonNodeFactory.instance.objectNode()));
      assertThat(store.get(m.key())).contains(m);
      store.delete(m.key());
    }
    try (PgConnector connector = new PgConnector(s);
        Connection c = connector.connect("tls-check", null);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).isTrue();
      assertThat(rs.getString(2)).isEqualTo("/CN=postgres");
    }
  }

  /** Points the server at another certificate and waits until new connections get it. */
  private static void switchServerCertificate(String cert, String key) throws Exception {
    StoreSettings.Postgres ca = settings(TlsMode.VERIFY_CA).build();
    try (PgConnector connector = new PgConnector(ca);
        Connection c = connector.connect("tls-admin", null);
        Statement st = c.createStatement()) {
      st.execute("ALTER SYSTEM SET ssl_cert_file = '" + cert + "'");
      st.execute("ALTER SYSTEM SET ssl_key_file = '" + key + "'");
      st.execute("SELECT pg_reload_conf()");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try (PgConnector connector = new PgConnector(ca);
                  Connection c = connector.connect("tls-admin", null);
                  Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("SHOW ssl_cert_file")) {
                rs.next();
                return rs.getString(1).equals(cert);
              }
            });
  }
}
