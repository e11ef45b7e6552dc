package io.meshlite.agent.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpEchoMainTest {

  private static int port(String... args) {
    TcpEchoMain opts = new TcpEchoMain();
    assertThat(TcpEchoMain.parse(opts, args, System.err)).isNull();
    return opts.port;
  }

  @Test
  void acceptsGoStyleAndGnuStylePortFlags() {
    assertThat(port()).isEqualTo(8000);
    assertThat(port("-port", "9000")).isEqualTo(9000);
    assertThat(port("-port=9001")).isEqualTo(9001);
    assertThat(port("--port", "9002")).isEqualTo(9002);
  }

  @Test
  void badPortIsOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(TcpEchoMain.parse(new TcpEchoMain(), new String[] {"-port", "x"}, new PrintStream(err, true, StandardCharsets.UTF_8)))
        .isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
  }

  @Test
  void recognisesAnHttpRequestHead() {
    byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(TcpEchoServer.isHttpRequest(http, http.length)).isTrue();
    byte[] partial = "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(TcpEchoServer.isHttpRequest(partial, partial.length)).isFalse();
    byte[] raw = "hello\n\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(TcpEchoServer.isHttpRequest(raw, raw.length)).isFalse();
  }
}
