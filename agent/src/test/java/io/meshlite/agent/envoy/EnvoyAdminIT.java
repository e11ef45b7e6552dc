package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.agent.testing.FakeEnvoyAdmin;
import io.meshlite.agent.testing.FakeTicker;
import io.meshlite.api.testing.Ports;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin client against a fake admin API over TCP and over a Unix socket. */
class EnvoyAdminIT {
  @TempDir Path tmp;

  @Test
  void drainCallsAndInboundConnectionCount() throws Exception {
    try (FakeEnvoyAdmin fake = new FakeEnvoyAdmin()) {
      EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", fake.port()), Duration.ofSeconds(2));
      assertThat(admin.ready()).isTrue();
      admin.failHealthChecks();
      admin.drainInboundListeners();
      fake.activeConnections.set(3);
      assertThat(admin.activeInboundConnections()).isEqualTo(3); // the outbound listener's 7 do not count
      assertThat(fake.calls()).contains("GET /ready", "POST /healthcheck/fail",
          "POST /drain_listeners?inboundonly&graceful", "GET /listeners?format=json");
    }
  }

  @Test
  void controlPlaneConnectionChangesAreNoticed() throws Exception {
    try (FakeEnvoyAdmin fake = new FakeEnvoyAdmin()) {
      EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", fake.port()), Duration.ofSeconds(2));
      ControlPlaneWatch watch = new ControlPlaneWatch(() -> Optional.of(admin), new FakeTicker(), Duration.ofSeconds(5), "cp");
      watch.poll();
      assertThat(watch.connected()).isNull(); // never connected yet
      fake.controlPlaneConnected.set(1);
      watch.poll();
      assertThat(watch.connected()).isTrue();
      fake.controlPlaneConnected.set(0);
      watch.poll();
      assertThat(watch.connected()).isFalse();
      fake.controlPlaneConnected.set(1);
      watch.poll();
      assertThat(watch.connected()).isTrue();
    }
  }

  @Test
  void nothingListeningMeansNotReadyAndAnError() {
    EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Tcp("127.0.0.1", Ports.free()), Duration.ofSeconds(2));
    assertThat(admin.ready()).isFalse();
    assertThatThrownBy(admin::failHealthChecks).isInstanceOf(IOException.class);
  }

  @Test
  void worksOverAUnixSocketAndTimesOut() throws Exception {
    Path sock = tmp.resolve("kuma-envoy-admin.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread responder = Thread.ofPlatform().start(() -> {
        try (SocketChannel c = server.accept()) {
          c.read(ByteBuffer.allocate(4096));
          c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nLIVE\n".getBytes(StandardCharsets.US_ASCII)));
          SocketChannel silent = server.accept(); // second client: never answered
          silent.read(ByteBuffer.allocate(4096));
          silent.read(ByteBuffer.allocate(4096));
          silent.close();
        } catch (IOException e) {
          // test over
        }
      });
      EnvoyAdmin admin = new EnvoyAdmin(new AdminEndpoint.Unix(sock), Duration.ofMillis(300));
      assertThat(admin.ready()).isTrue();
      assertThatThrownBy(() -> admin.call("GET", "/ready")).isInstanceOf(IOException.class)
          .hasMessageContaining("did not answer /ready within 300 ms");
      server.close();
      responder.join(5000);
    }
  }
}
