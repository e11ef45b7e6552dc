package io.meshlite.agent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MiniHttpTest {

  private static byte[] bytes(String raw) {
    return raw.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static MiniHttp.Response parse(String raw) throws Exception {
    return MiniHttp.parse(bytes(raw));
  }

  @Test
  void sizedBody() throws Exception {
    MiniHttp.Response r = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-type: text/plain\r\n\r\nLIVE\nextra");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("LIVE\n");
    assertThat(r.headers()).containsEntry("content-type", "text/plain");
  }

  @Test
  void chunkedBody() throws Exception {
    assertThat(parse("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabc:\r\n3;x=y\r\n 12\r\n0\r\n\r\n").text())
        .isEqualTo("abc: 12");
  }

  @Test
  void closeDelimitedBodyAndStatus() throws Exception {
    MiniHttp.Response r = parse("HTTP/1.1 503 Service Unavailable\r\n\r\nPRE_INITIALIZING\n");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.text()).isEqualTo("PRE_INITIALIZING\n");
  }

  @Test
  void knowsWhenAResponseIsComplete() throws Exception {
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nLIV"))).isFalse();
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nLIVE"))).isTrue();
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n"))).isFalse();
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"))).isTrue();
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 404 Not Found\r\n\r\n"))).isFalse(); // ends at close
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 204 No Content\r\n\r\n"))).isTrue();
    assertThat(MiniHttp.complete(bytes("HTTP/1.1 200 OK\r\n"))).isFalse();
  }

  @Test
  void garbageIsAnError() {
    assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessageContaining("not an HTTP response");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\n")).hasMessageContaining("incomplete");
  }
}
