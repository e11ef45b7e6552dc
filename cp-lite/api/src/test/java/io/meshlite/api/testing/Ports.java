package io.meshlite.api.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for servers a test has to name before they start (kuma-cp, kuma-dp, Envoy's admin
 * and listeners, PostgreSQL, the DNS stub).
 *
 * <p>Asking the kernel for port 0 and closing the socket hands out a port from the ephemeral range,
 * the same range every {@code connect()} on the machine draws its local port from: between the
 * test's check and the server's bind, a client socket (an xDS stream, an admin poll, a DNS query)
 * could take it, and the same port could also come back from a later call while the first server
 * has not bound it yet. The ports here come from below the ephemeral range (no client takes them),
 * in sequence from a random start (never twice in one JVM until the whole range is used), and each
 * is checked to be free for both TCP and UDP on 127.0.0.1.
 */
public final class Ports {
  /** Above Kuma's fixed ports (15000-15100: Envoy's admin, 15001, 15006, 15053 and their kin). */
  private static final int LOWEST = 20_000;

  private static final int[] RANGE = range();
  private static final AtomicInteger NEXT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(RANGE[1] - RANGE[0]));

  private Ports() {}

  /** A loopback port that is free for TCP and UDP and that this JVM has not handed out before. */
  public static int free() {
    int size = RANGE[1] - RANGE[0];
    for (int tried = 0; tried < size; tried++) {
      int port = RANGE[0] + Math.floorMod(NEXT.getAndIncrement(), size);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in " + RANGE[0] + "-" + (RANGE[1] - 1));
  }

  private static boolean bindable(int port) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket tcp = new ServerSocket();
        DatagramSocket udp = new DatagramSocket(null)) {
      tcp.setReuseAddress(true); // as servers bind: a connection of an earlier test in TIME_WAIT is no conflict
      tcp.bind(new InetSocketAddress(loopback, port), 1);
      udp.bind(new InetSocketAddress(loopback, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * [first, end) below the kernel's ephemeral ports; above them when the range starts too low to
   * leave room.
   */
  private static int[] range() {
    int[] ephemeral = ephemeralRange();
    if (ephemeral[0] - LOWEST >= 2_000) {
      return new int[] {LOWEST, ephemeral[0]};
    }
    int above = Math.max(ephemeral[1] + 1, LOWEST);
    return 65_536 - above >= 2_000 ? new int[] {above, 65_536} : new int[] {LOWEST, 65_536};
  }

  /**
   * The kernel's ephemeral ports, first and last ({@code net.ipv4.ip_local_port_range}; Linux's
   * default 32768-60999 where it cannot be read). Read by line: {@code Files.readString} returns only
   * the first byte of this zero-sized procfs file.
   */
  static int[] ephemeralRange() {
    try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      String[] fields = r.readLine().trim().split("\\s+");
      return new int[] {Integer.parseInt(fields[0]), Integer.parseInt(fields[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32_768, 60_999};
    }
  }
}
