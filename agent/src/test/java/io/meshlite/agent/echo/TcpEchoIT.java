package io.meshlite.agent.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpEchoIT {

  @Test
  void echoesBytesAndKeepsTheConnection() throws Exception {
    try (TcpEchoServer server = TcpEchoServer.start(new InetSocketAddress("127.0.0.1", 0));
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      byte[] binary = {0, 1, 2, (byte) 255, 10, 10};
      out.write(binary);
      assertThat(in.readNBytes(binary.length)).isEqualTo(binary);
      out.write("second".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(in.readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("second");
    }
  }

  @Test
  void anHttpRequestIsEchoedAndTheConnectionClosed() throws Exception {
    String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n";
    try (TcpEchoServer server = TcpEchoServer.start(new InetSocketAddress("127.0.0.1", 0));
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(request);
    }
  }
}
