package io.meshlite.agent.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.testing.FakeTicker;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kuma-dp following its token file against a stand-in for the control plane's reload endpoint. */
class TokenWatcherIT {
  private static final String A = "eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYSJ9.c2lnYQ";
  private static final String B = "eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYiJ9.c2lnYg";

  @TempDir Path dir;
  private HttpServer cp;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private Path source;
  private TokenFile token;
  private ControlPlaneTransport transport;

  @BeforeEach
  void start() throws Exception {
    cp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    cp.createContext("/dataplane-token/reload", ex -> {
      try (ex) {
        bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] body = (status.get() == 200 ? "{\"streamsClosed\":1}" : "the dataplane token expired at 2026-01-01T00:00:00Z")
            .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status.get(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    });
    cp.start();
    source = Files.writeString(dir.resolve("token"), A);
    token = new TokenFile(null, source, dir.resolve("web-1"));
    token.refresh();
    transport = ControlPlaneTransport.forControlPlane(
        new AgentConfig.ControlPlane(cpUrl(), "", false, Duration.ofSeconds(1), Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    cp.stop(0);
    transport.close();
  }

  private URI cpUrl() {
    return URI.create("http://127.0.0.1:" + cp.getAddress().getPort());
  }

  private TokenWatcher watcher(boolean reloadableBootstrap) throws Exception {
    Path bootstrap = dir.resolve("bootstrap.yaml");
    Files.writeString(
        bootstrap,
        reloadableBootstrap
            ? "{\"googleGrpc\":{\"callCredentials\":[{\"fromPlugin\":{\"name\":\"envoy.grpc_credentials.file_based_metadata\","
                + "\"typedConfig\":{\"secretData\":{\"filename\":\"" + token.path() + "\"}}}}]}}"
            : "{\"envoyGrpc\":{\"clusterName\":\"ads_cluster\"}}");
    return new TokenWatcher(token, transport, cpUrl(), "default", "web-1", bootstrap, new FakeTicker(), Duration.ofSeconds(1));
  }

  @Test
  void aNewTokenIsInstalledAndAnnounced() throws Exception {
    TokenWatcher w = watcher(true);
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.UNCHANGED);

    Files.writeString(source, B + "\n");
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.RELOADED);
    assertThat(Files.readString(token.path())).isEqualTo(B);
    assertThat(bodies).singleElement().asString()
        .isEqualTo("{\"mesh\":\"default\",\"name\":\"web-1\",\"dataplaneToken\":\"" + B + "\"}");
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.UNCHANGED);
  }

  @Test
  void aRefusedTokenIsTakenBackAndNotRetried() throws Exception {
    TokenWatcher w = watcher(true);
    status.set(401);

    Files.writeString(source, B);
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.REFUSED);
    assertThat(Files.readString(token.path())).isEqualTo(A);
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.UNCHANGED);
    assertThat(bodies).hasSize(1);
  }

  @Test
  void somethingThatIsNotAJwtIsIgnored() throws Exception {
    TokenWatcher w = watcher(true);

    Files.writeString(source, "oops");
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.MALFORMED);
    assertThat(Files.readString(token.path())).isEqualTo(A);
    assertThat(bodies).isEmpty();
  }

  @Test
  void withTheTokenInsideTheBootstrapItIsOnlyInstalledForTheNextStart() throws Exception {
    TokenWatcher w = watcher(false);

    Files.writeString(source, B);
    assertThat(w.poll()).isEqualTo(TokenWatcher.Result.INSTALLED);
    assertThat(Files.readString(token.path())).isEqualTo(B);
    assertThat(bodies).isEmpty();
  }
}
