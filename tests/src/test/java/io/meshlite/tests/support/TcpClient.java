package io.meshlite.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends a message over TCP and reads the same number of bytes back (for echo services). */
public final class TcpClient {
  private TcpClient() {}

  /** Sends {@code message} to 127.0.0.1:port and returns what came back, or the error. */
  public static String roundTrip(int port, String message) {
    byte[] out = message.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      OutputStream os = s.getOutputStream();
      os.write(out);
      os.flush();
      InputStream is = s.getInputStream();
      byte[] in = new byte[out.length];
      int n = 0;
      while (n < in.length) {
        int r = is.read(in, n, in.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return new String(in, 0, n, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }
}
