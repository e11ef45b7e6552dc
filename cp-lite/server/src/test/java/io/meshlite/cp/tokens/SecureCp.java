package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.CpMain;
import io.meshlite.cp.LoopbackCpEnv;
import io.meshlite.cp.config.CpConfigLoader;
import io.meshlite.cp.tls.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A started control plane with TLS and dataplane tokens on (defaults), on free loopback ports. */
final class SecureCp implements AutoCloseable {
  final CpMain cp;
  final Path workDir;
  private final HttpClient plain = HttpClient.newHttpClient();
  private final HttpClient tls;

  SecureCp(Path workDir, Map<String, String> extraEnv) throws Exception {
    this.workDir = workDir;
    Map<String, String> env = LoopbackCpEnv.ephemeralPorts(workDir);
    env.putAll(extraEnv);
    cp = new CpMain(CpConfigLoader.load(Optional.empty(), env), Clock.systemUTC());
    cp.start();
    tls = HttpClient.newBuilder().sslContext(trusting(caPem())).build();
  }

  String caPem() {
    return cp.security().tls().orElseThrow().caPem();
  }

  Path caFile() {
    return workDir.resolve(".kuma").resolve(CpSecurity.CA_FILE);
  }

  String apiUrl() {
    return "http://127.0.0.1:" + cp.restServer().port();
  }

  String dpUrl() {
    return "https://127.0.0.1:" + cp.dpServer().port();
  }

  void apply(String yaml) {
    cp.manager().upsert(ResourceCodec.parse(yaml));
  }

  /** POST /tokens/dataplane from localhost (an admin); returns the token. */
  String token(String json) throws Exception {
    HttpResponse<String> r = post(plain, apiUrl() + "/tokens/dataplane", json, Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /** POST /bootstrap over TLS. */
  HttpResponse<String> bootstrap(String json) throws Exception {
    return post(tls, dpUrl() + "/bootstrap", json, Map.of("Accept", "application/json"));
  }

  /** POST /bootstrap and writes the decoded Envoy bootstrap to a file. */
  Path bootstrapFile(String json, Path file) throws Exception {
    HttpResponse<String> r = bootstrap(json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Json.mapper().readTree(r.body());
    Files.write(file, Base64.getDecoder().decode(body.get("bootstrap").asText()));
    return file;
  }

  HttpResponse<String> postDp(String path, String json) throws Exception {
    return post(tls, dpUrl() + path, json, Map.of());
  }

  /** The {@code jti} of a token (read without checking). */
  static String jti(String token) {
    try {
      return Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("jti").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Revokes tokens of mesh default by jti (Kuma's revocation Secret). */
  void revoke(String... jtis) {
    apply(
        "type: Secret\nmesh: default\nname: dataplane-token-revocations-default\ndata: "
            + Base64.getEncoder().encodeToString(String.join(",", jtis).getBytes(StandardCharsets.UTF_8)) + "\n");
  }

  static HttpResponse<String> post(HttpClient c, String url, String json, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static SSLContext trusting(String pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (X509Certificate c : Pem.parseCertificates(pem)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), "tmp", ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    cp.stop();
    plain.close();
    tls.close();
  }
}
