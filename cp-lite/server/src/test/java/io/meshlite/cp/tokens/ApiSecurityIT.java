package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.tls.Certificates;
import io.meshlite.cp.tls.Pem;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use the API: callers from 127.0.0.1 are admins; a caller from another address (here
 * 127.0.0.2, which Kuma does not count as localhost) needs an admin user token or an admin client
 * certificate for secrets and token issuing, and gets Kuma's error JSON otherwise.
 */
class ApiSecurityIT {
  @TempDir Path dir;
  private SecureCp cp;

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private static HttpClient from(String localAddress) throws Exception {
    return HttpClient.newBuilder().localAddress(InetAddress.getByName(localAddress)).build();
  }

  private static HttpResponse<String> send(HttpClient c, String method, String url, String body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String adminToken() throws Exception {
    try (HttpClient local = from("127.0.0.1")) {
      HttpResponse<String> r = send(local, "GET", cp.apiUrl() + "/globalsecrets/admin-user-token", null, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return new String(Base64.getDecoder().decode(Json.mapper().readTree(r.body()).path("data").asText()), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void localhostIsAdminAndRemoteCallersNeedAnAdminToken() throws Exception {
    cp = new SecureCp(dir, Map.of());
    String admin = adminToken();
    String api = cp.apiUrl();
    String secret = api + "/globalsecrets/admin-user-token";
    try (HttpClient remote = from("127.0.0.2"); HttpClient local = from("127.0.0.1")) {
      // Open routes stay open, as in Kuma.
      assertThat(send(remote, "GET", api + "/meshes", null, null).statusCode()).isEqualTo(200);

      HttpResponse<String> anonymous = send(remote, "GET", secret, null, null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      JsonNode err = Json.mapper().readTree(anonymous.body());
      assertThat(err.path("type").asText()).isEqualTo("/std-errors");
      assertThat(err.path("title").asText()).isEqualTo("Unauthenticated");
      assertThat(err.path("detail").asText()).contains("admins only");
      assertThat(send(remote, "POST", api + "/tokens/dataplane", "{\"mesh\":\"default\"}", null).statusCode()).isEqualTo(401);
      assertThat(send(remote, "GET", api + "/meshes/default/secrets", null, null).statusCode()).isEqualTo(401);
      assertThat(send(remote, "GET", api + "/secrets", null, null).statusCode()).isEqualTo(401);

      assertThat(send(remote, "GET", secret, null, admin).statusCode()).isEqualTo(200);
      HttpResponse<String> issued = send(remote, "POST", api + "/tokens/dataplane", "{\"mesh\":\"default\",\"name\":\"a\"}", admin);
      assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
      assertThat(issued.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      assertThat(issued.body().split("\\.")).hasSize(3);

      // A user who is not an admin is denied admin routes, not other routes.
      HttpResponse<String> userToken =
          send(local, "POST", api + "/tokens/user", "{\"name\":\"john\",\"groups\":[\"users\"],\"validFor\":\"1h\"}", null);
      assertThat(userToken.statusCode()).as(userToken.body()).isEqualTo(200);
      HttpResponse<String> denied = send(remote, "GET", secret, null, userToken.body());
      assertThat(denied.statusCode()).isEqualTo(403);
      assertThat(Json.mapper().readTree(denied.body()).path("title").asText()).isEqualTo("Access Denied");
      assertThat(send(remote, "GET", api + "/meshes", null, userToken.body()).statusCode()).isEqualTo(200);
      assertThat(Json.mapper().readTree(send(remote, "GET", api + "/who-am-i", null, userToken.body()).body()).path("name").asText())
          .isEqualTo("john");

      // A bad token is refused everywhere.
      HttpResponse<String> bad = send(remote, "GET", api + "/meshes", null, "not.a.token");
      assertThat(bad.statusCode()).isEqualTo(401);
      assertThat(Json.mapper().readTree(bad.body()).path("detail").asText()).startsWith("Invalid authentication data: ");
    }
  }

  @Test
  void theCaIsServedToAdmins() throws Exception {
    cp = new SecureCp(dir, Map.of());
    try (HttpClient local = from("127.0.0.1"); HttpClient remote = from("127.0.0.2")) {
      HttpResponse<String> ca = send(local, "GET", cp.apiUrl() + "/tls/ca.pem", null, null);
      assertThat(ca.statusCode()).isEqualTo(200);
      assertThat(ca.body()).isEqualTo(cp.caPem()).isEqualTo(Files.readString(cp.caFile()));
      assertThat(send(remote, "GET", cp.apiUrl() + "/tls/ca.pem", null, null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void tokenRequestsAreValidatedWithKumasErrorJson() throws Exception {
    cp = new SecureCp(dir, Map.of());
    try (HttpClient local = from("127.0.0.1")) {
      HttpResponse<String> r =
          send(local, "POST", cp.apiUrl() + "/tokens/dataplane", "{\"type\":\"ingress\",\"validFor\":\"soon\"}", null);
      assertThat(r.statusCode()).isEqualTo(400);
      JsonNode err = Json.mapper().readTree(r.body());
      assertThat(err.path("title").asText()).isEqualTo("Invalid request");
      assertThat(err.path("invalid_parameters").findValuesAsText("field")).containsExactly("mesh", "type", "validFor");
      HttpResponse<String> noMesh =
          send(local, "POST", cp.apiUrl() + "/tokens/dataplane", "{\"mesh\":\"nope\"}", null);
      assertThat(noMesh.statusCode()).isEqualTo(400);
      assertThat(noMesh.body()).contains("mesh \\\"nope\\\" does not exist");
      HttpResponse<String> user = send(local, "POST", cp.apiUrl() + "/tokens/user", "{\"name\":\"x\"}", null);
      assertThat(user.statusCode()).isEqualTo(400);
      assertThat(user.body()).contains("validFor");
    }
  }

  @Test
  void withoutLocalhostIsAdminEvenLoopbackNeedsAToken() throws Exception {
    cp = new SecureCp(dir, Map.of("KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN", "false"));
    try (HttpClient local = from("127.0.0.1")) {
      assertThat(send(local, "GET", cp.apiUrl() + "/globalsecrets/admin-user-token", null, null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void anAdminClientCertificateIsAdminOnTheHttpsPort() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("admin-clients"));
    Certificates.Issued clientCa = Certificates.newCa("admin clients", Clock.systemUTC());
    Certificates.Issued client = Certificates.issue(clientCa, Certificates.Usage.CLIENT, List.of("ops"), Clock.systemUTC());
    Files.writeString(certs.resolve("ca.pem"), Pem.certificates(List.of(clientCa.certificate())));
    cp = new SecureCp(dir, Map.of("KUMA_API_SERVER_AUTH_CLIENT_CERTS_DIR", certs.toString()));
    String https = "https://127.0.0.1:" + cp.cp.restServer().httpsPort();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", client.key(), new char[0], new Certificate[] {client.certificate(), clientCa.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("cp", Pem.parseCertificates(cp.caPem()).get(0));
    tmf.init(trust);
    SSLContext withCert = SSLContext.getInstance("TLS");
    withCert.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

    try (HttpClient admin = HttpClient.newBuilder().sslContext(withCert).localAddress(InetAddress.getByName("127.0.0.2")).build();
        HttpClient anonymous =
            HttpClient.newBuilder().sslContext(SecureCp.trusting(cp.caPem())).localAddress(InetAddress.getByName("127.0.0.2")).build()) {
      assertThat(send(admin, "GET", https + "/globalsecrets/admin-user-token", null, null).statusCode()).isEqualTo(200);
      assertThat(send(anonymous, "GET", https + "/globalsecrets/admin-user-token", null, null).statusCode()).isEqualTo(401);
      assertThat(send(anonymous, "GET", https + "/meshes", null, null).statusCode()).isEqualTo(200);
    }
  }
}
