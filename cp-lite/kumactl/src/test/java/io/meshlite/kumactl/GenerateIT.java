package io.meshlite.kumactl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.kumactl.client.Pkcs1;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GenerateIT extends AgainstFakeApi {
  @Test
  void aDataplaneTokenIsIssuedByTheControlPlaneAndPrintedAsIs() throws Exception {
    api.on("POST /tokens/dataplane", 200, "aaa.bbb.ccc");

    Cli.Result r =
        cli.run(
            "generate", "dataplane-token", "--name", "web-1", "-m", "demo", "--tag", "kuma.io/service=web,web-api",
            "--tag", "version=v1", "--valid-for", "24h");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("aaa.bbb.ccc");
    JsonNode body = Json.mapper().readTree(api.apiRequests().get(0).body());
    assertThat(body.path("name").asText()).isEqualTo("web-1");
    assertThat(body.path("mesh").asText()).isEqualTo("demo");
    assertThat(body.path("tags").toString()).isEqualTo("{\"kuma.io/service\":[\"web\",\"web-api\"],\"version\":[\"v1\"]}");
    assertThat(body.path("validFor").asText()).isEqualTo("24h0m0s");
  }

  @Test
  void withoutValidForTheControlPlaneDefaultApplies() throws Exception {
    api.on("POST /tokens/dataplane", 200, "t.t.t");

    Cli.Result r = cli.run("generate", "dataplane-token", "--name", "web-1");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode body = Json.mapper().readTree(api.apiRequests().get(0).body());
    assertThat(body.path("mesh").asText()).isEqualTo("default");
    assertThat(body.has("validFor")).isFalse();
  }

  @Test
  void aRefusalIsOneLineWithAHint() {
    api.on(
        "POST /tokens/dataplane",
        401,
        "{\"type\":\"/std-errors\",\"status\":401,\"title\":\"Unauthenticated\",\"detail\":\"authentication required\"}");

    Cli.Result r = cli.run("generate", "dataplane-token", "--name", "web-1");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).singleElement().asString()
        .startsWith("Error: failed to generate a dataplane token: Unauthenticated: authentication required")
        .contains("--auth-type tokens");
  }

  @Test
  void aUserTokenNeedsANameAndAValidity() throws Exception {
    api.on("POST /tokens/user", 200, "u.u.u");

    Cli.Result missing = cli.run("generate", "user-token", "--name", "john");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("--valid-for");

    Cli.Result r = cli.run("generate", "user-token", "--name", "john", "--group", "users,ops", "--valid-for", "1h");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("u.u.u");
    assertThat(api.apiRequests().get(0).body())
        .isEqualTo("{\"name\":\"john\",\"groups\":[\"users\",\"ops\"],\"validFor\":\"1h0m0s\"}");
  }

  @Test
  void aSigningKeyIsAnRsa2048Pkcs1PemInBase64() throws Exception {
    Cli.Result r = cli.run("generate", "signing-key");

    assertThat(r.code()).as(r.err()).isZero();
    String pem = new String(Base64.getDecoder().decode(r.out()), StandardCharsets.US_ASCII);
    assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----\n").endsWith("-----END RSA PRIVATE KEY-----\n");
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.replace("-----BEGIN RSA PRIVATE KEY-----", "").replace("-----END RSA PRIVATE KEY-----", ""));
    RSAPrivateCrtKey key =
        (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Pkcs1.toPkcs8(der)));
    assertThat(key.getModulus().bitLength()).isEqualTo(2048);
    assertThat(api.apiRequests()).isEmpty();
  }
}
