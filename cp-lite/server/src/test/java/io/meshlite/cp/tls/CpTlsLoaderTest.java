package io.meshlite.cp.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpTlsLoaderTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final MemoryStore store = new MemoryStore(clock);
  private final ResourceManager manager = new ResourceManager(store, new ResourceManager.Settings(false, 0, Duration.ZERO));

  private CpTlsSettings generated(List<String> names) {
    return new CpTlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), names, Optional.of(dir));
  }

  @Test
  void aGeneratedIdentityIsKeptInTheStoreAndTheCaWrittenForUsers() throws Exception {
    CpTls first = CpTlsLoader.load(generated(List.of("localhost", "127.0.0.1", "::1")), manager, clock);

    assertThat(first.names()).containsExactlyInAnyOrder("localhost", "127.0.0.1", "::1");
    first.chain().get(0).verify(first.ca().get(0).getPublicKey());
    assertThat(Files.readString(dir.resolve("kuma-cp.crt"))).isEqualTo(first.caPem());
    for (String s : List.of("cp-tls-ca", "cp-tls-cert", "cp-tls-key")) {
      assertThat(manager.get(ResourceTypes.GLOBAL_SECRET, "", s)).as(s).isPresent();
    }

    CpTls again = CpTlsLoader.load(generated(List.of("localhost", "127.0.0.1")), manager, clock);
    assertThat(again.chain().get(0)).isEqualTo(first.chain().get(0));
    assertThat(again.caPem()).isEqualTo(first.caPem());
  }

  @Test
  void aRestartWithAnEmptyStoreKeepsTheCaFromTheWorkDirectory() throws Exception {
    CpTls first = CpTlsLoader.load(generated(List.of("localhost")), manager, clock);
    assertThat(dir.resolve("kuma-cp-ca.key")).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("kuma-cp-ca.key")))).isEqualTo("rw-------");

    ResourceManager fresh = new ResourceManager(new MemoryStore(clock), new ResourceManager.Settings(false, 0, Duration.ZERO));
    CpTls restarted = CpTlsLoader.load(generated(List.of("localhost")), fresh, clock);

    assertThat(restarted.caPem()).isEqualTo(first.caPem());
    restarted.chain().get(0).verify(first.ca().get(0).getPublicKey());
    assertThat(fresh.get(ResourceTypes.GLOBAL_SECRET, "", "cp-tls-ca")).isPresent();
  }

  @Test
  void aNewNameGetsANewCertificateFromTheSameCa() {
    CpTls first = CpTlsLoader.load(generated(List.of("localhost")), manager, clock);
    CpTls wider = CpTlsLoader.load(generated(List.of("localhost", "cp.example", "10.0.0.5")), manager, clock);

    assertThat(wider.caPem()).isEqualTo(first.caPem());
    assertThat(wider.chain().get(0)).isNotEqualTo(first.chain().get(0));
    assertThat(wider.names()).contains("localhost", "cp.example", "10.0.0.5");
  }

  @Test
  void configuredFilesAreUsedAndTheirProblemsNamed() throws Exception {
    Certificates.Issued ca = Certificates.newCa("test CA", clock);
    Certificates.Issued server = Certificates.issue(ca, Certificates.Usage.SERVER, List.of("cp.example"), clock);
    Path cert = Files.writeString(dir.resolve("cert.pem"), Pem.certificates(List.of(server.certificate(), ca.certificate())));
    Path key = Files.writeString(dir.resolve("key.pem"), Pem.privateKey(server.key()));

    CpTls tls =
        CpTlsLoader.load(
            new CpTlsSettings(Optional.of(cert), Optional.of(key), Optional.empty(), List.of(), Optional.empty()), manager, clock);
    assertThat(tls.names()).containsExactly("cp.example");
    assertThat(tls.ca()).containsExactly(ca.certificate());
    assertThat(manager.get(ResourceTypes.GLOBAL_SECRET, "", "cp-tls-cert")).isEmpty();

    assertThatThrownBy(
            () ->
                CpTlsLoader.load(
                    new CpTlsSettings(Optional.of(cert), Optional.of(dir.resolve("missing.pem")), Optional.empty(), List.of(), Optional.empty()),
                    manager,
                    clock))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dpServer.tlsKeyFile (KUMA_DP_SERVER_TLS_KEY_FILE): cannot read");
  }
}
