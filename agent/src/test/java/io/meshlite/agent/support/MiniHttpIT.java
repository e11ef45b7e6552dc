package io.meshlite.agent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.api.testing.Ports;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MiniHttpIT {

  @Test
  void refusedConnectionsAreConnectExceptions() {
    assertThatThrownBy(() -> MiniHttp.exchange(new InetSocketAddress("127.0.0.1", Ports.free()), "x", "GET", "/",
        Map.of(), new byte[0], Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);
  }

  @Test
  void anInterruptEndsAHangingExchange() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread caller = Thread.currentThread();
      CompletableFuture.runAsync(() -> {
        accepted.join();
        caller.interrupt();
      });
      try {
        assertThatThrownBy(() -> MiniHttp.exchange(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), "x", "GET",
            "/", Map.of(), new byte[0], Duration.ofMinutes(1))).isInstanceOf(InterruptedIOException.class);
      } finally {
        Thread.interrupted();
        accepted.get(5, TimeUnit.SECONDS).close();
      }
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }
}
