package io.meshlite.iptables.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Runs inside a test network namespace (via {@code ip netns exec}); JDK classes only.
 *
 * <ul>
 *   <li>{@code outbound LISTEN_PORT HOST PORT TIMEOUT_MS}: listens on LISTEN_PORT, connects to
 *       HOST:PORT and prints ACCEPTED if the connection arrived at the listener instead.
 *   <li>{@code listen PORT TIMEOUT_MS}: prints LISTENING, then ACCEPTED for one connection.
 *   <li>{@code connect HOST PORT TIMEOUT_MS}: prints CONNECTED once connected.
 * </ul>
 *
 * Exit code 0 on success, 1 otherwise.
 */
public final class RedirectProbe {
  private RedirectProbe() {}

  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "outbound" -> System.exit(outbound(args));
      case "listen" -> System.exit(listen(Integer.parseInt(args[1]), Integer.parseInt(args[2])));
      case "connect" ->
          System.exit(connect(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3])));
      default -> System.exit(2);
    }
  }

  private static int outbound(String[] args) throws IOException {
    int timeout = Integer.parseInt(args[4]);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
      server.setSoTimeout(timeout);
      try (Socket client = new Socket()) {
        try {
          client.connect(new InetSocketAddress(args[2], Integer.parseInt(args[3])), timeout);
        } catch (IOException e) {
          System.out.println("NOT_ACCEPTED connect failed: " + e.getMessage());
          return 1;
        }
        try (Socket accepted = server.accept()) {
          System.out.println("ACCEPTED from " + accepted.getRemoteSocketAddress());
          return 0;
        } catch (SocketTimeoutException e) {
          System.out.println("NOT_ACCEPTED connected elsewhere");
          return 1;
        }
      }
    }
  }

  private static int listen(int port, int timeout) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(port));
      server.setSoTimeout(timeout);
      System.out.println("LISTENING");
      System.out.flush();
      try (Socket accepted = server.accept()) {
        System.out.println("ACCEPTED from " + accepted.getRemoteSocketAddress());
        return 0;
      } catch (SocketTimeoutException e) {
        System.out.println("NOT_ACCEPTED");
        return 1;
      }
    }
  }

  private static int connect(String host, int port, int timeout) {
    try (Socket client = new Socket()) {
      client.connect(new InetSocketAddress(host, port), timeout);
      System.out.println("CONNECTED");
      return 0;
    } catch (IOException e) {
      System.out.println("NOT_CONNECTED " + e.getMessage());
      return 1;
    }
  }
}
