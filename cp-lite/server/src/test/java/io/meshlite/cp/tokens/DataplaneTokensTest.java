package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.manager.ManagerException;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issuing and validating dataplane tokens with an injected clock and an in-memory store. */
class DataplaneTokensTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final DataplaneIdentity WEB_1 = new DataplaneIdentity("web-1", "default", Map.of(), "", "");

  private final MutableClock clock = new MutableClock(T0);
  private final ControlPlane cp = new ControlPlane(clock);

  /** One control plane's store and token services. */
  static final class ControlPlane {
    final MemoryStore store;
    final ResourceManager manager;
    final SigningKeys keys;
    final DataplaneTokens tokens;

    ControlPlane(MutableClock clock) {
      store = new MemoryStore(clock);
      manager = new ResourceManager(store, new ResourceManager.Settings(false, 0, Duration.ZERO));
      keys = new SigningKeys(manager);
      tokens = new DataplaneTokens(keys, new Revocations(manager), clock);
      manager.ensureDefaultMesh();
      keys.latestOrCreate(KeyFamily.dataplane("default")); // as TokenDefaults does at start
    }

    void apply(String yaml) {
      manager.upsert(ResourceCodec.parse(yaml));
    }
  }

  @BeforeEach
  void dataplanes() {
    cp.apply("type: Mesh\nname: other\n");
  }

  private static JsonNode part(String token, int i) throws Exception {
    return Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[i]));
  }

  private static Optional<DataplaneView> dp(String tagsYaml) {
    DataplaneSpec spec =
        DataplaneSpec.parse(
            ResourceCodec.parse(
                    "type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n"
                        + "  - port: 8080\n    tags: " + tagsYaml + "\n")
                .spec());
    return Optional.of(new DataplaneView(spec, Map.of()));
  }

  @Test
  void aTokenCarriesKumasHeaderAndClaimsWithBackdating() throws Exception {
    String token =
        cp.tokens.issue(
            new DataplaneIdentity("web-1", "default", Map.of("kuma.io/service", List.of("web", "web-api")), "dataplane", ""),
            Duration.ofHours(24));

    JsonNode header = part(token, 0);
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(header.path("kid").asText()).isEqualTo("1");
    assertThat(header.path("typ").asText()).isEqualTo("JWT");
    JsonNode claims = part(token, 1);
    assertThat(claims.path("Name").asText()).isEqualTo("web-1");
    assertThat(claims.path("Mesh").asText()).isEqualTo("default");
    assertThat(claims.path("Type").asText()).isEqualTo("dataplane");
    assertThat(claims.path("Tags").path("kuma.io/service").toString()).isEqualTo("[\"web\",\"web-api\"]");
    assertThat(claims.has("Workload")).isTrue();
    assertThat(claims.path("iat").asLong()).isEqualTo(T0.getEpochSecond() - 5);
    assertThat(claims.path("nbf").asLong()).isEqualTo(T0.getEpochSecond() - 5);
    assertThat(claims.path("exp").asLong()).isEqualTo(T0.plus(Duration.ofHours(24)).getEpochSecond());
    assertThat(claims.path("jti").asText()).matches("[0-9a-f-]{36}");
    // The key it was signed with is Kuma's Secret, an RSA-2048 PKCS#1 PEM in base64.
    String pem =
        new String(
            Base64.getDecoder()
                .decode(
                    cp.manager
                        .get(ResourceTypes.SECRET, "default", "dataplane-token-signing-key-default-1")
                        .orElseThrow()
                        .spec()
                        .path("data")
                        .asText()),
            StandardCharsets.US_ASCII);
    assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
  }

  @Test
  void aGoodTokenAuthenticatesItsProxyUntilItExpires() {
    String token = cp.tokens.issue(WEB_1, Duration.ofMinutes(10));

    DataplaneClaims c = cp.tokens.authenticate(token, "default", "web-1", Optional.empty());
    assertThat(c.identity().name()).isEqualTo("web-1");
    assertThat(c.kid()).isEqualTo(1);
    assertThat(c.expires()).isEqualTo(T0.plus(Duration.ofMinutes(10)));

    clock.advance(Duration.ofMinutes(10));
    assertThatThrownBy(() -> cp.tokens.authenticate(token, "default", "web-1", Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessage("the dataplane token expired at 2026-01-01T10:10:00Z: issue a new token (kumactl generate dataplane-token)");
  }

  @Test
  void aTokenIsOnlyForTheNamedProxyOfItsMesh() {
    String token = cp.tokens.issue(WEB_1, Duration.ofMinutes(10));

    assertThatThrownBy(() -> cp.tokens.authenticate(token, "default", "web-2", Optional.empty()))
        .hasMessageStartingWith("the dataplane token is for dataplane \"web-1\", but the proxy is \"web-2\"");
    assertThatThrownBy(() -> cp.tokens.authenticate(token, "other", "web-1", Optional.empty()))
        .hasMessageStartingWith("the dataplane token is for mesh \"default\", but the proxy is in mesh \"other\"");
    // A mesh-wide token (no Name) fits every proxy of the mesh.
    String meshWide = cp.tokens.issue(new DataplaneIdentity("", "default", Map.of(), "", ""), Duration.ofMinutes(1));
    assertThat(cp.tokens.authenticate(meshWide, "default", "anything", Optional.empty()).identity().mesh())
        .isEqualTo("default");
  }

  @Test
  void rotationSignsWithTheNewestKeyAndOldTokensLiveUntilTheirKeyIsRemoved() throws Exception {
    String old = cp.tokens.issue(WEB_1, Duration.ofHours(1));
    cp.keys.create(KeyFamily.dataplane("default"), 2);
    String fresh = cp.tokens.issue(WEB_1, Duration.ofHours(1));

    assertThat(part(fresh, 0).path("kid").asText()).isEqualTo("2");
    assertThat(cp.tokens.authenticate(old, "default", "web-1", Optional.empty()).kid()).isEqualTo(1);
    assertThat(cp.tokens.authenticate(fresh, "default", "web-1", Optional.empty()).kid()).isEqualTo(2);

    cp.manager.delete(ResourceTypes.SECRET, "default", "dataplane-token-signing-key-default-1");
    assertThatThrownBy(() -> cp.tokens.authenticate(old, "default", "web-1", Optional.empty()))
        .hasMessage(
            "signing key 1 of mesh default does not exist (no Secret dataplane-token-signing-key-default-1; was the key"
                + " rotated away?): issue a new token (kumactl generate dataplane-token)");
    assertThat(cp.tokens.authenticate(fresh, "default", "web-1", Optional.empty()).kid()).isEqualTo(2);
  }

  @Test
  void aRevokedTokenIsRefusedAndOthersAreNot() throws Exception {
    String revoked = cp.tokens.issue(WEB_1, Duration.ofHours(1));
    String kept = cp.tokens.issue(WEB_1, Duration.ofHours(1));
    String jti = part(revoked, 1).path("jti").asText();
    cp.apply(
        "type: Secret\nmesh: default\nname: dataplane-token-revocations-default\ndata: "
            + Base64.getEncoder().encodeToString(("some-other-id, " + jti).getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> cp.tokens.authenticate(revoked, "default", "web-1", Optional.empty()))
        .hasMessageStartingWith("the dataplane token was revoked (its jti is listed in Secret dataplane-token-revocations-default)");
    assertThat(cp.tokens.authenticate(kept, "default", "web-1", Optional.empty())).isNotNull();
  }

  @Test
  void aTokenSignedByAnotherKeyIsForged() {
    ControlPlane elsewhere = new ControlPlane(clock);
    String forged = elsewhere.tokens.issue(WEB_1, Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(30));

    assertThatThrownBy(() -> cp.tokens.authenticate(forged, "default", "web-1", Optional.empty()))
        .hasMessage(
            "the dataplane token's signature does not match signing key 1 of mesh default (forged, or issued by another"
                + " control plane): issue a new token (kumactl generate dataplane-token)");
  }

  @Test
  void aTokenFromBeforeAMemoryStoreResetNamesTheCause() {
    String token = cp.tokens.issue(WEB_1, Duration.ofDays(1));
    clock.advance(Duration.ofMinutes(1));
    ControlPlane restarted = new ControlPlane(clock); // empty memory store: a new key 1, created now

    assertThatThrownBy(() -> restarted.tokens.authenticate(token, "default", "web-1", Optional.empty()))
        .hasMessage(
            "signing key 1 of mesh default does not exist any more (the control plane's memory store was reset?):"
                + " issue a new token (kumactl generate dataplane-token)");
  }

  @Test
  void malformedAndForeignTokensAreRefusedWithTheReason() {
    assertThatThrownBy(() -> cp.tokens.authenticate("not-a-jwt", "default", "web-1", Optional.empty()))
        .hasMessageStartingWith("the dataplane token is malformed (");
    assertThatThrownBy(() -> cp.tokens.authenticate("", "default", "web-1", Optional.empty()))
        .hasMessageStartingWith("the dataplane token is empty");
    // Kuma's repo test token: HS256, payload {"Name":"dp-echo-1","Mesh":"default"}.
    String hs256 =
        b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"Name\":\"dp-echo-1\",\"Mesh\":\"default\"}") + ".c2ln";
    assertThatThrownBy(() -> cp.tokens.authenticate(hs256, "default", "dp-echo-1", Optional.empty()))
        .hasMessageStartingWith("the dataplane token is signed with HS256, but only RS256 tokens issued by kuma-cp are accepted");
  }

  @Test
  void tagsMustBeOnTheDataplaneWithAllowedValuesOnly() {
    String token =
        cp.tokens.issue(
            new DataplaneIdentity("", "default", Map.of("kuma.io/service", List.of("web", "web-api")), "", ""),
            Duration.ofHours(1));

    assertThat(cp.tokens.authenticate(token, "default", "web-1", dp("{kuma.io/service: web, version: v1}"))).isNotNull();
    assertThatThrownBy(() -> cp.tokens.authenticate(token, "default", "web-1", dp("{kuma.io/service: backend}")))
        .hasMessage(
            "the Dataplane has tag kuma.io/service=backend, which the dataplane token does not allow (allowed values: web,"
                + " web-api)");
    String needsVersion =
        cp.tokens.issue(new DataplaneIdentity("", "default", Map.of("version", List.of("v1")), "", ""), Duration.ofHours(1));
    assertThatThrownBy(() -> cp.tokens.authenticate(needsVersion, "default", "web-1", dp("{kuma.io/service: web}")))
        .hasMessageStartingWith("the Dataplane has no tag \"version\", which the dataplane token requires");
  }

  @Test
  void issuingForAMissingMeshFails() {
    assertThatThrownBy(
            () -> cp.tokens.issue(new DataplaneIdentity("a", "nope", Map.of(), "", ""), Duration.ofHours(1)))
        .isInstanceOf(ManagerException.MeshNotFound.class);
  }

  @Test
  void keysInPkcs8PemAreAcceptedAndBrokenSecretsIgnored() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String pkcs8 =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(g.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    cp.apply("type: Secret\nmesh: default\nname: dataplane-token-signing-key-default-3\ndata: "
        + Base64.getEncoder().encodeToString(pkcs8.getBytes(StandardCharsets.US_ASCII)));
    cp.apply("type: Secret\nmesh: default\nname: dataplane-token-signing-key-default-4\ndata: "
        + Base64.getEncoder().encodeToString("not a key".getBytes(StandardCharsets.US_ASCII)));

    String token = cp.tokens.issue(WEB_1, Duration.ofHours(1));
    assertThat(part(token, 0).path("kid").asText()).isEqualTo("3");
    assertThat(cp.tokens.authenticate(token, "default", "web-1", Optional.empty()).kid()).isEqualTo(3);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
