package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvoyAdminResponseTest {

  private static EnvoyAdmin.Response parse(String raw) throws Exception {
    return EnvoyAdmin.parse(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void sizedBody() throws Exception {
    assertThat(parse("HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nLIVE\nextra"))
        .isEqualTo(new EnvoyAdmin.Response(200, "LIVE\n"));
  }

  @Test
  void chunkedBody() throws Exception {
    assertThat(parse("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabc:\r\n3;x=y\r\n 12\r\n0\r\n\r\n"))
        .isEqualTo(new EnvoyAdmin.Response(200, "abc: 12"));
  }

  @Test
  void closeDelimitedBodyAndStatus() throws Exception {
    assertThat(parse("HTTP/1.1 503 Service Unavailable\r\n\r\nPRE_INITIALIZING\n"))
        .isEqualTo(new EnvoyAdmin.Response(503, "PRE_INITIALIZING\n"));
  }

  @Test
  void garbageIsAnError() {
    assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessageContaining("not an HTTP response");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\n")).hasMessageContaining("incomplete");
  }
}
