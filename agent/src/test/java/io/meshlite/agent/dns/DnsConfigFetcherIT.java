package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.support.Ticker;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against a real HTTP server on the Unix socket Envoy's dynamic-config listener uses. */
class DnsConfigFetcherIT {
  @TempDir Path workDir;

  private ServerSocketChannel server;
  private Thread serving;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> body =
      new AtomicReference<>("{\"records\":[{\"name\":\"backend.mesh\",\"ips\":[\"240.0.0.1\"]}],\"ttl\":30}");

  @BeforeEach
  void serve() throws IOException {
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(workDir.resolve(DnsConfigFetcher.SOCKET)));
    serving =
        Thread.ofPlatform()
            .name("fake-dynamic-config")
            .start(
                () -> {
                  while (server.isOpen()) {
                    try (SocketChannel c = server.accept()) {
                      ByteBuffer in = ByteBuffer.allocate(4096);
                      c.read(in);
                      String req = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
                      requests.add(req);
                      String b = body.get();
                      String etag = Integer.toHexString(b.hashCode());
                      String resp =
                          req.contains("If-None-Match: " + etag)
                              ? "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n"
                              : "HTTP/1.1 200 OK\r\nEtag: " + etag + "\r\nContent-Length: "
                                  + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
                      c.write(ByteBuffer.wrap(resp.getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    serving.join(5000);
  }

  @Test
  void appliesNewTablesOnceAndSendsTheEtag() {
    List<DnsTable> applied = new CopyOnWriteArrayList<>();
    DnsConfigFetcher fetcher =
        new DnsConfigFetcher(workDir, applied::add, Ticker.system(), Duration.ofSeconds(1));

    assertThat(fetcher.pollOnce()).isTrue();
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).size()).isEqualTo(1);

    assertThat(fetcher.pollOnce()).isFalse();
    assertThat(applied).hasSize(1);
    assertThat(requests.get(1)).contains("GET /dns ", "If-None-Match: ");

    body.set("{\"records\":[{\"name\":\"a.mesh\",\"ips\":[\"240.0.0.2\"]},{\"name\":\"b.mesh\",\"ips\":[\"240.0.0.3\"]}],\"ttl\":30}");
    assertThat(fetcher.pollOnce()).isTrue();
    assertThat(applied).hasSize(2);
    assertThat(applied.get(1).size()).isEqualTo(2);
  }

  @Test
  void aMissingSocketIsQuiet(@TempDir Path empty) {
    DnsConfigFetcher fetcher = new DnsConfigFetcher(empty, t -> {}, Ticker.system(), Duration.ofSeconds(1));
    assertThat(fetcher.pollOnce()).isFalse();
  }
}
