package io.meshlite.cp.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.api.testing.Ports;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Envoy against the control plane with its defaults: TLS on the dataplane server and
 * dataplane tokens required. Envoy gets its configuration over TLS with a good token, in both
 * bootstrap forms, and a changed token file is picked up without restarting Envoy.
 */
class SecureDpEnvoyIT {
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;
  private SecureCp cp;
  private final List<EnvoyProcess> envoys = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cp = new SecureCp(dir, Map.of());
    cp.apply(
        """
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            tags: {kuma.io/service: web}
        """
            .formatted(Ports.free(), Ports.free()));
  }

  @AfterEach
  void stop() {
    envoys.forEach(EnvoyProcess::close);
    cp.close();
  }

  private EnvoyProcess envoy(String requestJson, int adminPort) throws Exception {
    Path bootstrap = cp.bootstrapFile(requestJson, dir.resolve("bootstrap-" + envoys.size() + ".json"));
    EnvoyProcess e = EnvoyProcess.start(bootstrap, adminPort);
    envoys.add(e);
    return e;
  }

  @Test
  void envoyGetsItsConfigurationOverTlsWithAToken() throws Exception {
    String token = cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}");
    int admin = Ports.free();
    EnvoyProcess e =
        envoy("{\"mesh\":\"default\",\"name\":\"web-1\",\"adminPort\":" + admin + ",\"dataplaneToken\":\"" + token + "\"}", admin);

    await().atMost(START).until(e::ready);
    assertThat(e.stat("control_plane.connected_state")).isEqualTo(1);
    assertThat(e.admin("/listeners").body()).contains("inbound:127.0.0.1:");
    assertThat(cp.cp.dpServer().connectedProxies()).contains("default.web-1");
  }

  @Test
  void withDataplaneAuthenticationOffNoTokenIsNeededButTlsStays() throws Exception {
    cp.close();
    cp = new SecureCp(dir.resolve("none"), Map.of("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none"));
    cp.apply(
        "type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: "
            + Ports.free() + "\n    tags: {kuma.io/service: web}\n");
    int admin = Ports.free();
    EnvoyProcess e = envoy("{\"mesh\":\"default\",\"name\":\"web-1\",\"adminPort\":" + admin + "}", admin);

    await().atMost(START).until(e::ready);
    assertThat(Files.readString(dir.resolve("bootstrap-0.json"))).contains("envoy.transport_sockets.tls");
    assertThat(cp.dpUrl()).startsWith("https://");
  }

  @Test
  void aChangedTokenFileIsUsedAfterAReloadWithoutRestartingEnvoy() throws Exception {
    String first = cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, first);
    int admin = Ports.free();
    EnvoyProcess e =
        envoy(
            "{\"mesh\":\"default\",\"name\":\"web-1\",\"adminPort\":" + admin + ",\"dataplaneToken\":\"" + first
                + "\",\"dataplaneTokenPath\":\"" + tokenFile + "\"}",
            admin);
    await().atMost(START).until(e::ready);
    long pid = e.pid();
    assertThat(Files.readString(dir.resolve("bootstrap-0.json")))
        .contains("envoy.grpc_credentials.file_based_metadata")
        .doesNotContain("\"initialMetadata\"");

    String second = cp.token("{\"mesh\":\"default\",\"name\":\"web-1\"}");
    SecureCp.write(tokenFile, second);
    HttpResponse<String> reload =
        cp.postDp("/dataplane-token/reload", "{\"mesh\":\"default\",\"name\":\"web-1\",\"dataplaneToken\":\"" + second + "\"}");
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    assertThat(reload.body()).contains("\"streamsClosed\":1");

    await().atMost(Duration.ofSeconds(30)).until(() -> cp.cp.dpServer().connectedProxies().contains("default.web-1")
        && e.stat("control_plane.connected_state") == 1);
    assertThat(e.pid()).isEqualTo(pid);

    // The stream now runs on the second token: revoking the first changes nothing, revoking the
    // second closes it at once.
    cp.revoke(SecureCp.jti(first));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> e.stat("control_plane.connected_state") == 1);
    cp.revoke(SecureCp.jti(first), SecureCp.jti(second));
    await().atMost(Duration.ofSeconds(10)).until(() -> e.stat("control_plane.connected_state") == 0);
    assertThat(cp.cp.dpServer().connectedProxies()).doesNotContain("default.web-1");
  }
}
