package io.meshlite.api.testing;


import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void portsAreDistinctOutsideTheEphemeralRangeAndFreeForTcpAndUdp() throws Exception {
    int[] ephemeral = Ports.ephemeralRange();
    assertThat(ephemeral[0]).isLessThan(ephemeral[1]);
    int ephemeralLow = ephemeral[0];
    int ephemeralHigh = ephemeral[1];
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      int port = Ports.free();
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      assertThat(port < ephemeralLow || port > ephemeralHigh).as("port %d is ephemeral", port).isTrue();
      assertThat(port).isGreaterThanOrEqualTo(20_000);
    }
    int port = Ports.free();
    try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      assertThat(tcp.getLocalPort()).isEqualTo(udp.getLocalPort());
    }
  }

  @Test
  void aPortInUseIsSkipped() throws Exception {
    // whatever port comes next is held (UDP only, which a TCP-only check would miss); it must not be returned
    int held = Ports.free() + 1;
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), held))) {
      int port = Ports.free();
      assertThat(port).isNotEqualTo(held);
    }
  }
}
