package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshlite.api.resource.Json;
import io.meshlite.api.testing.Ports;
import io.meshlite.cp.tls.Certificates;
import io.meshlite.cp.tls.Pem;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.RawEnvoy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P3 end to end: real kuma-cp (TLS and dataplane tokens on, its defaults), real kuma-dp and Envoy.
 * Every kind of bad token is refused with one clear line on both sides and never gets any
 * configuration, whether it comes to {@code /bootstrap} (kuma-dp) or straight onto the xDS stream
 * (an Envoy started by hand); live streams are closed at once by revocation, key removal and expiry;
 * a changed token file is used without restarting Envoy; a wrong CA and a memory-store reset are
 * reported with their cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokensIT {
  private static final Duration CONNECT = Duration.ofSeconds(60);
  private static final Duration CLOSED = Duration.ofSeconds(20);

  @TempDir static Path work;
  private ControlPlane cp;
  private Kumactl kumactl;
  private final List<AutoCloseable> processes = new ArrayList<>();

  @BeforeAll
  void startControlPlane() {
    cp = ControlPlane.start(work, Map.of());
    kumactl = new Kumactl(work, cp.apiUrl());
    ok(kumactl.apply("type: Mesh\nname: other\n---\ntype: Mesh\nname: rotation\n---\ntype: Mesh\nname: revoke\n"));
  }

  @AfterEach
  void stopProcesses() throws Exception {
    for (AutoCloseable p : processes.reversed()) {
      p.close();
    }
    processes.clear();
  }

  @AfterAll
  void stopControlPlane() {
    cp.close();
  }

  // ---------------------------------------------------------------- helpers

  private static JavaProcess.Result ok(JavaProcess.Result r) {
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r;
  }

  /** Applies a Dataplane with one inbound (no application needs to listen for Envoy to get ready). */
  private void dataplane(String mesh, String name, String service) {
    ok(
        kumactl.apply(
            """
            type: Dataplane
            mesh: %s
            name: %s
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags:
                  kuma.io/service: %s
            """
                .formatted(mesh, name, Ports.free(), Ports.free(), service)));
  }

  private Path tokenFile(String name, String token) throws Exception {
    return Files.writeString(work.resolve(name + ".token"), token);
  }

  /** kuma-dp with the CA and exactly the token file given (nothing added). */
  private DataplaneAgent agent(String mesh, String name, Path token) {
    List<String> args = new ArrayList<>(List.of("--ca-cert-file", cp.caFile().toString()));
    if (token != null) {
      args.addAll(List.of("--dataplane-token-file", token.toString()));
    }
    DataplaneAgent a = DataplaneAgent.start(work, cp.dpServerUrl(), mesh, name, args, retryQuickly(), false);
    processes.add(a);
    return a;
  }

  private static Map<String, String> retryQuickly() {
    return Map.of("KUMA_CONTROL_PLANE_RETRY_BACKOFF", "200ms", "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "20s");
  }

  private static void awaitConnected(DataplaneAgent a) {
    try {
      await("Envoy of " + a.process() + " gets its configuration")
          .atMost(CONNECT)
          .until(() -> {
            if (!a.process().alive()) {
              throw new AssertionError("kuma-dp exited: " + a.process().output());
            }
            return a.admin().ready() && a.admin().stat("control_plane.connected_state").orElse(0) == 1;
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\nkuma-dp output:\n" + a.process().output(), e);
    }
  }

  private static void awaitDisconnected(DataplaneAgent a) {
    await("the control plane closes the stream of " + a.process())
        .atMost(CLOSED)
        .until(() -> a.admin().stat("control_plane.connected_state").orElse(1) == 0);
  }

  /** Waits for kuma-dp to exit and returns its output. */
  private static String exited(DataplaneAgent a) throws Exception {
    assertThat(a.process().process().waitFor(60, TimeUnit.SECONDS)).as("kuma-dp exits").isTrue();
    assertThat(a.process().process().exitValue()).isEqualTo(1);
    return a.process().output();
  }

  /** The single {@code Error:} line kuma-dp printed when it gave up. */
  private static String errorLine(String output) {
    List<String> errors = output.lines().filter(l -> l.startsWith("Error: ")).toList();
    assertThat(errors).as(output).hasSize(1);
    return errors.get(0);
  }

  private static String jti(String token) throws Exception {
    return claims(token).path("jti").asText();
  }

  private static JsonNode claims(String token) throws Exception {
    return Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
  }

  private static String kid(String token) throws Exception {
    return Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0])).path("kid").asText();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds jtis to the revocation list of a mesh (Kuma's Secret). */
  private void revoke(String mesh, String... jtis) {
    ok(
        kumactl.apply(
            "type: Secret\nmesh: " + mesh + "\nname: dataplane-token-revocations-" + mesh + "\ndata: "
                + b64(String.join(",", jtis)) + "\n"));
  }

  /** A token for the right proxy, signed by a key the control plane never had. */
  private static String forged(String mesh, String name) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Instant now = Instant.now();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID("1").build(),
            new JWTClaimsSet.Builder()
                .claim("Name", name)
                .claim("Mesh", mesh)
                .claim("Tags", Map.of())
                .claim("Type", "")
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .issueTime(Date.from(now.minusSeconds(5)))
                .jwtID(UUID.randomUUID().toString())
                .build());
    jwt.sign(new RSASSASigner(g.generateKeyPair().getPrivate()));
    return jwt.serialize();
  }

  /** A token that expired: issued for 1s, then waited out. */
  private String expired(String mesh, String name) throws Exception {
    String token = cp.dataplaneToken(mesh, name, "--valid-for", "1s");
    Instant exp = Instant.ofEpochSecond(claims(token).path("exp").asLong());
    await("token expiry").atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(exp.plusMillis(500)));
    return token;
  }

  /** One bad credential: how to make the token, and the reason both sides must name. */
  record Bad(String name, String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The token for a bad case (null = no token at all). */
  private String badToken(String bad, String mesh, String name) throws Exception {
    return switch (bad) {
      case "missing" -> null;
      case "forged" -> forged(mesh, name);
      case "expired" -> expired(mesh, name);
      case "wrong-mesh" -> cp.dataplaneToken("other", name);
      case "wrong-name" -> cp.dataplaneToken(mesh, "someone-else");
      case "wrong-tags" -> cp.dataplaneToken(mesh, name, "--tag", "kuma.io/service=billing");
      case "revoked" -> {
        String t = cp.dataplaneToken(mesh, name);
        revoke(mesh, jti(t));
        yield t;
      }
      case "malformed" -> "not-a-jwt";
      default -> throw new IllegalArgumentException(bad);
    };
  }

  Stream<Arguments> badTokens() {
    return Stream.of(
        Arguments.of(new Bad("missing", "Dataplane Token is required")),
        Arguments.of(new Bad("forged", "signature does not match signing key 1 of mesh default (forged")),
        Arguments.of(new Bad("expired", "the dataplane token expired at ")),
        Arguments.of(new Bad("wrong-mesh", "the dataplane token is for mesh \"other\", but the proxy is in mesh \"default\"")),
        Arguments.of(new Bad("wrong-name", "the dataplane token is for dataplane \"someone-else\"")),
        Arguments.of(new Bad("wrong-tags", "which the dataplane token does not allow (allowed values: billing)")),
        Arguments.of(new Bad("revoked", "the dataplane token was revoked")),
        Arguments.of(new Bad("malformed", "the dataplane token is malformed")));
  }

  // ---------------------------------------------------------------- bad tokens at /bootstrap

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  void kumaDpWithABadTokenStopsWithOneLineAndEnvoyNeverRuns(Bad bad) throws Exception {
    String name = "bad-" + bad.name();
    dataplane("default", name, "web");
    String token = badToken(bad.name(), "default", name);

    DataplaneAgent a = agent("default", name, token == null ? null : tokenFile(name, token));
    String out = exited(a);

    assertThat(errorLine(out)).contains(bad.reason());
    assertThat(out).as("no Envoy was started").doesNotContain("Envoy started");
    List<String> refusals = cp.logLines("dataplane refused mesh=default dp=" + name + " stage=bootstrap");
    assertThat(refusals).as(cp.process().output()).isNotEmpty();
    assertThat(refusals.get(0)).contains(bad.name().equals("missing") ? "no dataplane token" : bad.reason());
    if (token != null) {
      assertThat(cp.process().output()).doesNotContain(token);
    }
  }

  // ---------------------------------------------------------------- bad tokens on the xDS stream

  Stream<Arguments> badStreamTokens() {
    return badTokens().filter(a -> !((Bad) a.get()[0]).name().equals("wrong-tags"));
  }

  /**
   * Envoy started by hand with a bootstrap whose token is replaced: the control plane refuses the
   * ADS stream ({@code UNAUTHENTICATED} with the reason, which Envoy logs) and sends nothing.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badStreamTokens")
  void anEnvoyWithABadTokenIsRefusedOnTheXdsStreamAndGetsNoConfiguration(Bad bad) throws Exception {
    String name = "raw-" + bad.name();
    dataplane("default", name, "web");
    int adminPort = Ports.free();
    Http.Response r =
        Http.postTls(
            cp.dpServerUrl() + "/bootstrap",
            "{\"mesh\":\"default\",\"name\":\"" + name + "\",\"adminPort\":" + adminPort + ",\"dataplaneToken\":\""
                + cp.dataplaneToken("default", name) + "\"}",
            cp.caFile());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    ObjectNode bootstrap =
        (ObjectNode) Json.mapper().readTree(Base64.getDecoder().decode(Json.mapper().readTree(r.body()).path("bootstrap").asText()));
    ObjectNode ads = (ObjectNode) bootstrap.path("dynamicResources").path("adsConfig").path("grpcServices").get(0);
    String token = badToken(bad.name(), "default", name);
    if (token == null) {
      ads.remove("initialMetadata");
    } else {
      ((ObjectNode) ((ArrayNode) ads.path("initialMetadata")).get(0)).put("value", token);
    }

    RawEnvoy envoy = RawEnvoy.start(work, name, Json.mapper().writeValueAsString(bootstrap), adminPort);
    processes.add(envoy);

    String node = "dataplane refused node=default." + name + " stage=xds-stream";
    await("the control plane refuses the stream").atMost(CONNECT).until(() -> !cp.logLines(node).isEmpty());
    String expected = bad.name().equals("missing") ? "no dataplane token" : bad.reason();
    assertThat(cp.logLines(node).get(0)).contains(expected);
    await("Envoy logs why").atMost(CONNECT).until(() -> envoy.log().contains(expected));
    assertThat(envoy.log()).contains("gRPC config stream to ads_cluster closed: 16, ");
    // control_plane.connected_state is not asserted: Envoy retries, and between the stream opening
    // and the control plane's refusal it briefly reads 1. What matters is that no config arrived.
    assertThat(envoy.admin().stat("cluster_manager.cds.update_success")).hasValue(0);
    assertThat(envoy.admin().stat("listener_manager.lds.update_success")).hasValue(0);
    assertThat(envoy.admin().stat("listener_manager.total_listeners_active")).hasValue(0);
    assertThat(cp.logLines("proxy connected dp=" + name + " ")).isEmpty();
  }

  // ---------------------------------------------------------------- live streams

  @Test
  void revokingTheTokenOfALiveProxyClosesItsStreamAtOnce() throws Exception {
    dataplane("revoke", "victim", "web");
    dataplane("revoke", "bystander", "web");
    String victimToken = cp.dataplaneToken("revoke", "victim");
    DataplaneAgent victim = agent("revoke", "victim", tokenFile("victim", victimToken));
    DataplaneAgent bystander = agent("revoke", "bystander", tokenFile("bystander", cp.dataplaneToken("revoke", "bystander")));
    awaitConnected(victim);
    awaitConnected(bystander);

    revoke("revoke", jti(victimToken));

    awaitDisconnected(victim);
    assertThat(cp.logLines("closing its xDS stream dp=victim mesh=revoke"))
        .singleElement().asString().contains("the dataplane token was revoked");
    await("kuma-dp says why")
        .atMost(Duration.ofSeconds(30))
        .until(() -> victim.process().output().contains("the control plane does not take this proxy: the control plane"
            + " refused the dataplane token: the dataplane token was revoked"));
    assertThat(bystander.admin().stat("control_plane.connected_state")).hasValue(1);
    assertThat(victim.process().alive()).isTrue();
  }

  @Test
  void rotationSignsWithTheNewKeyAndRemovingTheOldKeyClosesItsStreams() throws Exception {
    dataplane("rotation", "old-1", "web");
    dataplane("rotation", "new-1", "web");
    String oldToken = cp.dataplaneToken("rotation", "old-1");
    assertThat(kid(oldToken)).isEqualTo("1");
    DataplaneAgent old = agent("rotation", "old-1", tokenFile("old-1", oldToken));
    awaitConnected(old);

    // Rotate: add serial 2 (kumactl generate signing-key), as Kuma's docs show.
    String key = ok(kumactl.run("generate", "signing-key")).output().strip();
    ok(kumactl.apply("type: Secret\nmesh: rotation\nname: dataplane-token-signing-key-rotation-2\ndata: " + key + "\n"));
    String newToken = cp.dataplaneToken("rotation", "new-1");
    assertThat(kid(newToken)).isEqualTo("2");
    DataplaneAgent fresh = agent("rotation", "new-1", tokenFile("new-1", newToken));
    awaitConnected(fresh);
    assertThat(old.admin().stat("control_plane.connected_state")).hasValue(1);

    ok(kumactl.run("delete", "secret", "dataplane-token-signing-key-rotation-1", "--mesh", "rotation"));

    awaitDisconnected(old);
    assertThat(cp.logLines("closing its xDS stream dp=old-1 mesh=rotation"))
        .singleElement().asString().contains("signing key 1 of mesh rotation does not exist");
    assertThat(fresh.admin().stat("control_plane.connected_state")).hasValue(1);
  }

  @Test
  void aTokenThatExpiresWhileTheProxyRunsEndsItsStream() throws Exception {
    dataplane("default", "short-lived", "web");
    DataplaneAgent a = agent("default", "short-lived", tokenFile("short-lived", cp.dataplaneToken("default", "short-lived",
        "--valid-for", "15s")));
    awaitConnected(a);

    awaitDisconnected(a);
    assertThat(cp.logLines("closing its xDS stream dp=short-lived mesh=default"))
        .singleElement().asString().contains("the dataplane token expired at");
  }

  @Test
  void aChangedTokenFileIsUsedWithoutRestartingEnvoy() throws Exception {
    dataplane("default", "reloader", "web");
    String first = cp.dataplaneToken("default", "reloader");
    Path file = tokenFile("reloader", first);
    DataplaneAgent a = agent("default", "reloader", file);
    awaitConnected(a);
    OptionalLong pid = a.envoyPid();
    assertThat(pid).isPresent();

    String second = cp.dataplaneToken("default", "reloader");
    Path tmp = Files.writeString(work.resolve("reloader.token.tmp"), second + "\n");
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    await("kuma-dp reloads the token")
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.process().output().contains("dataplane token reloaded from " + file));
    assertThat(cp.logLines("dataplane token reloaded dp=reloader mesh=default")).singleElement().asString()
        .contains("streamsClosed=1");
    awaitConnected(a);
    assertThat(a.envoyPid()).isEqualTo(pid);

    // The stream runs on the new token now: revoking the old one leaves it alone, revoking the new
    // one closes it.
    revoke("default", jti(first));
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> a.admin().stat("control_plane.connected_state").orElse(0) == 1);
    revoke("default", jti(first), jti(second));
    awaitDisconnected(a);
    assertThat(a.envoyPid()).isEqualTo(pid);
  }

  // ---------------------------------------------------------------- TLS

  @Test
  void aWrongCaIsReportedByKumaDpInOneLine() throws Exception {
    dataplane("default", "wrong-ca", "web");
    Path otherCa =
        Files.writeString(
            work.resolve("other-ca.pem"),
            Pem.certificates(List.of(Certificates.newCa("not the control plane", Clock.systemUTC()).certificate())));
    DataplaneAgent a =
        DataplaneAgent.start(
            work, cp.dpServerUrl(), "default", "wrong-ca",
            List.of("--ca-cert-file", otherCa.toString(), "--dataplane-token-file",
                tokenFile("wrong-ca", cp.dataplaneToken("default", "wrong-ca")).toString()),
            retryQuickly(), false);
    processes.add(a);

    String out = exited(a);
    assertThat(errorLine(out))
        .startsWith("Error: TLS: the control plane's certificate is not signed by the CA in " + otherCa);
    assertThat(out).doesNotContain("Envoy started");
  }

  @Test
  void skipVerifyTrustsTheBootstrapAndEnvoyTheCaItHandsOut() throws Exception {
    dataplane("default", "trusting", "web");
    DataplaneAgent a =
        DataplaneAgent.start(
            work, cp.dpServerUrl(), "default", "trusting",
            List.of("--skip-verify", "--dataplane-token-file",
                tokenFile("trusting", cp.dataplaneToken("default", "trusting")).toString()),
            Map.of(), false);
    processes.add(a);

    awaitConnected(a);
    assertThat(a.process().output()).contains("not verified for the bootstrap request (--skip-verify)");
  }

  // ---------------------------------------------------------------- the API

  /**
   * Kuma's way to a secured API: read the admin token on the control plane host, then turn
   * localhostIsAdmin off; kumactl talks HTTPS (trusting the CA) with the token.
   */
  @Test
  void kumactlUsesTheAdminTokenOverHttpsOnceLocalhostIsNoLongerAdmin() throws Exception {
    Path dir = work.resolve("api");
    ControlPlane own = ControlPlane.start(dir, Map.of("KUMA_STORE_TYPE", "sqlite"));
    try {
      Http.Response secret = Http.get(own.apiUrl() + "/globalsecrets/admin-user-token");
      assertThat(secret.status()).as(secret.body()).isEqualTo(200);
      String admin =
          new String(Base64.getDecoder().decode(Json.mapper().readTree(secret.body()).path("data").asText()), StandardCharsets.UTF_8);
      own = own.restart(Map.of("KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN", "false"));

      Path config = dir.resolve("kumactl.yaml");
      JavaProcess.Result anonymous =
          JavaProcess.run("kumactl", dir, "io.meshlite.kumactl.KumactlMain",
              List.of("--config-file", config.toString(), "config", "control-planes", "add", "--name", "anon", "--address",
                  own.apiHttpsUrl(), "--ca-cert-file", own.caFile().toString()),
              Map.of("HOME", dir.toString()));
      ok(anonymous);
      JavaProcess.Result refused =
          JavaProcess.run("kumactl", dir, "io.meshlite.kumactl.KumactlMain",
              List.of("--config-file", config.toString(), "get", "globalsecrets"), Map.of("HOME", dir.toString()));
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.output()).contains("Unauthenticated");

      ok(JavaProcess.run("kumactl", dir, "io.meshlite.kumactl.KumactlMain",
          List.of("--config-file", config.toString(), "config", "control-planes", "add", "--name", "admin", "--address",
              own.apiHttpsUrl(), "--ca-cert-file", own.caFile().toString(), "--auth-type", "tokens", "--auth-conf",
              "token=" + admin),
          Map.of("HOME", dir.toString())));
      JavaProcess.Result listed =
          ok(JavaProcess.run("kumactl", dir, "io.meshlite.kumactl.KumactlMain",
              List.of("--config-file", config.toString(), "get", "globalsecrets"), Map.of("HOME", dir.toString())));
      assertThat(listed.output()).contains("admin-user-token", "cp-tls-ca");
      JavaProcess.Result token =
          ok(JavaProcess.run("kumactl", dir, "io.meshlite.kumactl.KumactlMain",
              List.of("--config-file", config.toString(), "generate", "dataplane-token", "--name", "web-1"),
              Map.of("HOME", dir.toString())));
      assertThat(token.output().strip().split("\\.")).hasSize(3);
    } finally {
      own.close();
    }
  }

  // ---------------------------------------------------------------- memory store reset

  @Test
  void afterAMemoryStoreResetBothSidesNameTheVanishedKey() throws Exception {
    ControlPlane own = ControlPlane.start(work.resolve("reset"), Map.of());
    try {
      Kumactl k = new Kumactl(work.resolve("reset"), own.apiUrl());
      ok(k.apply("type: Dataplane\nmesh: default\nname: survivor\nnetworking:\n  address: 127.0.0.1\n  inbound:\n"
          + "  - port: " + Ports.free() + "\n    tags: {kuma.io/service: web}\n"));
      Path token = Files.writeString(work.resolve("survivor.token"), own.dataplaneToken("default", "survivor"));
      DataplaneAgent a =
          DataplaneAgent.start(
              work, own.dpServerUrl(), "default", "survivor",
              List.of("--ca-cert-file", own.caFile().toString(), "--dataplane-token-file", token.toString()),
              Map.of(), false);
      processes.add(a);
      awaitConnected(a);

      own = own.restart(); // memory store: keys, Dataplanes and tokens are gone; the CA stays
      ControlPlane restarted = own;

      String reason =
          "signing key 1 of mesh default does not exist any more (the control plane's memory store was reset?): issue a"
              + " new token";
      await("the restarted control plane refuses the old token")
          .atMost(CONNECT)
          .until(() -> restarted.logLines("dataplane refused node=default.survivor").stream().anyMatch(l -> l.contains(reason)));
      await("kuma-dp names the cause")
          .atMost(Duration.ofSeconds(30))
          .until(() -> a.process().output().contains("the control plane refused the dataplane token: " + reason));
      assertThat(a.admin().stat("control_plane.connected_state")).hasValue(0);
    } finally {
      own.close();
    }
  }
}
