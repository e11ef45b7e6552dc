package io.meshlite.cp.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaManagerTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final MutableClock clock = new MutableClock(NOW);
  private final MemoryStore store = new MemoryStore(clock);

  @AfterEach
  void close() {
    store.close();
  }

  private MtlsSpec.Backend backend(String yaml) {
    Resource mesh = ResourceCodec.parse("type: Mesh\nname: demo\nmtls:\n" + yaml);
    if (store.get(mesh.key()).isEmpty()) {
      store.create(mesh);
    }
    return MtlsSpec.parse(mesh.spec()).enabled().orElseThrow();
  }

  private static final String BUILTIN = "  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\n";

  private String secretText(String name) {
    Resource r = store.get(ResourceKey.of(ResourceTypes.SECRET, "demo", name)).orElseThrow();
    return new String(Base64.getDecoder().decode(r.spec().path("data").asText()), StandardCharsets.US_ASCII);
  }

  private void putSecret(String name, String content) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("data", Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.US_ASCII)));
    store.create(new Resource(ResourceTypes.SECRET, "demo", name, ResourceMeta.draft(Map.of()), spec));
  }

  @Test
  void builtinCaIsCreatedAsKumaDoesAndStoredAsTwoSecrets() throws Exception {
    CaManager.Ca ca = new CaManager(store, clock).ensure("demo", backend(BUILTIN));

    X509Certificate cert = ca.chain().get(0);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=demo,OU=Mesh,O=Kuma");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getSerialNumber()).isEqualTo(BigInteger.ZERO);
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(cert.getKeyUsage()[6]).as("cRLSign").isTrue();
    assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://demo"));
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minusSeconds(10));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
    assertThat(((RSAKey) cert.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    cert.verify(cert.getPublicKey());

    assertThat(secretText("demo.ca-builtin-cert-ca-1")).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(secretText("demo.ca-builtin-key-ca-1")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    Resource stored = store.get(ResourceKey.of(ResourceTypes.SECRET, "demo", "demo.ca-builtin-key-ca-1")).orElseThrow();
    assertThat(stored.meta().labels()).containsEntry("kuma.io/mesh", "demo");
  }

  @Test
  void ensuringAgainReusesTheStoredCa() {
    MtlsSpec.Backend b = backend(BUILTIN);
    CaManager.Ca first = new CaManager(store, clock).ensure("demo", b);
    clock.advance(Duration.ofDays(1));
    CaManager.Ca second = new CaManager(store, clock).ensure("demo", b);
    assertThat(second.chain()).isEqualTo(first.chain());
    assertThat(second.key()).isEqualTo(first.key());
  }

  @Test
  void settingsOfTheBuiltinCaAreHonoured() {
    CaManager.Ca ca =
        new CaManager(store, clock)
            .ensure("demo", backend(BUILTIN + "    conf: {caCert: {RSAbits: 3072, expiration: 1y}}\n"));
    assertThat(((RSAKey) ca.key()).getModulus().bitLength()).isEqualTo(3072);
    assertThat(ca.chain().get(0).getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
  }

  @Test
  void aKeyLeftWithoutItsCertificateIsCompleted() {
    KeyPair keys = Certificates.rsa(2048);
    putSecret("demo.ca-builtin-key-ca-1", Pem.encode(keys.getPrivate()));
    CaManager.Ca ca = new CaManager(store, clock).ensure("demo", backend(BUILTIN));
    assertThat(ca.chain().get(0).getPublicKey()).isEqualTo(keys.getPublic());
  }

  @Test
  void concurrentControlPlanesAgreeOnOneCa() throws Exception {
    MtlsSpec.Backend b = backend(BUILTIN);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<CaManager.Ca>> tasks = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        tasks.add(() -> new CaManager(store, clock).ensure("demo", b));
      }
      List<CaManager.Ca> results = new ArrayList<>();
      for (Future<CaManager.Ca> f : pool.invokeAll(tasks)) {
        results.add(f.get());
      }
      assertThat(results).extracting(CaManager.Ca::chain).containsOnly(results.get(0).chain());
      assertThat(Certificates.matches(results.get(0).chain().get(0), results.get(0).key())).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void providedCaComesFromSecretsFilesOrInlineData(@TempDir Path dir) throws Exception {
    KeyPair keys = Certificates.rsa(2048);
    X509Certificate root = Certificates.root("company", keys, NOW, Duration.ofDays(30));
    putSecret("my-cert", Pem.encode(List.of(root)));
    Path keyFile = dir.resolve("ca.key");
    Files.writeString(keyFile, Pem.encode(keys.getPrivate()));
    CaManager.Ca ca =
        new CaManager(store, clock)
            .ensure(
                "demo",
                backend(
                    "  enabledBackend: p\n  backends:\n  - name: p\n    type: provided\n    conf:\n"
                        + "      cert: {secret: my-cert}\n      key: {file: " + keyFile + "}\n"));
    assertThat(ca.chain()).containsExactly(root);
    assertThat(ca.key()).isEqualTo(keys.getPrivate());
    assertThat(ca.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void aProvidedCaThatDoesNotFitIsRefusedWithTheReason() {
    KeyPair keys = Certificates.rsa(2048);
    KeyPair other = Certificates.rsa(2048);
    X509Certificate root = Certificates.root("company", keys, NOW, Duration.ofDays(30));
    String certB64 = Base64.getEncoder().encodeToString(Pem.encode(List.of(root)).getBytes(StandardCharsets.US_ASCII));
    String wrongKey = Pem.encode(other.getPrivate()).replace("\n", "\n          ");
    MtlsSpec.Backend b =
        backend(
            "  enabledBackend: p\n  backends:\n  - name: p\n    type: provided\n    conf:\n"
                + "      cert: {inline: " + certB64 + "}\n      key:\n        inlineString: |\n          " + wrongKey + "\n");
    assertThatThrownBy(() -> new CaManager(store, clock).ensure("demo", b))
        .hasMessageContaining("mesh demo mTLS backend p")
        .hasMessageContaining("does not belong to its certificate");
    MtlsSpec.Backend missing =
        MtlsSpec.parse(
                ResourceCodec.parse(
                        "type: Mesh\nname: demo\nmtls:\n  enabledBackend: q\n  backends:\n  - name: q\n    type: provided\n"
                            + "    conf: {cert: {secret: nope}, key: {secret: nope}}\n")
                    .spec())
            .enabled()
            .orElseThrow();
    assertThatThrownBy(() -> new CaManager(store, clock).ensure("demo", missing))
        .hasMessageContaining("conf.cert")
        .hasMessageContaining("Secret \"nope\" not found in mesh demo");
  }
}
