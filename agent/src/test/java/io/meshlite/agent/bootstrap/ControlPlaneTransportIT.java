package io.meshlite.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.support.KeytoolCert;
import io.meshlite.agent.support.MiniHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS transport to the control plane against real TLS servers on loopback: certificates made
 * by the JDK's keytool, one for 127.0.0.1 and one for a host name only.
 */
class ControlPlaneTransportIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] BODY = "{\"mesh\":\"default\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static Cert forLoopback;
  private static Cert forHostName;
  private static Cert forLocalhost;

  private final List<AutoCloseable> servers = new ArrayList<>();

  record Cert(SSLContext server, String pem) {}

  private static Cert cert(String name, String dname, String san) throws Exception {
    KeytoolCert c = KeytoolCert.create(dir, name, dname, san);
    return new Cert(c.server(), Files.readString(c.pem()));
  }

  @BeforeAll
  static void certificates() throws Exception {
    forLoopback = cert("loopback", "CN=127.0.0.1", "san=ip:127.0.0.1");
    forHostName = cert("named", "CN=cp.example.internal", "san=dns:cp.example.internal");
    forLocalhost = cert("localhost", "CN=wrong.example", "san=dns:LocalHost");
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  @Test
  void postsOverTlsAndReadsASizedAnswer() throws Exception {
    URI uri = https(forLoopback, false);
    MiniHttp.Response r = transport(uri, forLoopback.pem(), false).post(uri.resolve("/bootstrap"),
        Map.of("Content-Type", "application/json"), BODY, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("POST /bootstrap application/json " + new String(BODY, StandardCharsets.UTF_8));
    assertThat(r.headers()).containsEntry("content-type", "text/plain");
  }

  @Test
  void readsAChunkedAnswer() throws Exception {
    URI uri = https(forLoopback, true);
    MiniHttp.Response r = transport(uri, forLoopback.pem(), false).post(uri.resolve("/x?y=1"), Map.of(), BODY, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).startsWith("POST /x?y=1 ");
  }

  @Test
  void leavesNoThreadBehind() throws Exception {
    URI uri = https(forLoopback, false);
    ControlPlaneTransport t = transport(uri, forLoopback.pem(), false);
    List<String> before = threadNames();
    for (int i = 0; i < 3; i++) {
      t.post(uri, Map.of(), BODY, TIMEOUT);
    }
    List<String> after = threadNames();
    after.removeAll(before);
    // The JDK's HTTP client kept a selector thread ("HttpClient-1-SelectorManager") for the process's life.
    assertThat(after).filteredOn(n -> !n.startsWith("HTTP-Dispatcher") && !n.contains("pool")).isEmpty();
  }

  @Test
  void refusesACertificateFromAnotherCa() throws Exception {
    URI uri = https(forHostName, false);
    assertThatThrownBy(() -> transport(uri, forLoopback.pem(), false).post(uri, Map.of(), BODY, TIMEOUT))
        .isInstanceOf(TlsFailure.class)
        .hasMessageStartingWith("TLS: the control plane's certificate is not signed by the CA in KUMA_CONTROL_PLANE_CA_CERT");
  }

  @Test
  void refusesACertificateThatDoesNotNameTheHost() throws Exception {
    URI uri = https(forHostName, false);
    assertThatThrownBy(() -> transport(uri, forHostName.pem(), false).post(uri, Map.of(), BODY, TIMEOUT))
        .isInstanceOf(TlsFailure.class)
        .hasMessageStartingWith("TLS: the control plane's certificate is not valid for 127.0.0.1");
  }

  @Test
  void acceptsACertificateForTheHostNameInTheAddress() throws Exception {
    URI uri = https(forLocalhost, false);
    URI byName = URI.create("https://localhost:" + uri.getPort());
    MiniHttp.Response r = transport(byName, forLocalhost.pem(), false).post(byName, Map.of(), BODY, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
    // the same certificate, reached by its address, does not name 127.0.0.1
    assertThatThrownBy(() -> transport(uri, forLocalhost.pem(), false).post(uri, Map.of(), BODY, TIMEOUT))
        .isInstanceOf(TlsFailure.class)
        .hasMessageStartingWith("TLS: the control plane's certificate is not valid for 127.0.0.1");
  }

  @Test
  void skipVerifyChecksNeitherChainNorHostName() throws Exception {
    URI uri = https(forHostName, false);
    MiniHttp.Response r = transport(uri, "", true).post(uri, Map.of(), BODY, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void namesAControlPlaneThatDoesNotSpeakTls() throws Exception {
    // A plaintext HTTP server answers the ClientHello's bytes with a 400, as kuma-cp's API server would.
    ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(ss);
    Thread server = new Thread(() -> {
      try (Socket s = ss.accept()) {
        s.getInputStream().read(new byte[512]);
        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
      } catch (IOException closed) {
        // the test is over
      }
    });
    server.setDaemon(true);
    server.start();
    URI uri = URI.create("https://127.0.0.1:" + ss.getLocalPort());
    assertThatThrownBy(() -> transport(uri, forLoopback.pem(), false).post(uri, Map.of(), BODY, TIMEOUT))
        .isInstanceOf(TlsFailure.class)
        .hasMessageContaining("does not speak TLS");
  }

  @Test
  void aSilentServerTimesOut() throws Exception {
    URI uri = silentServer();
    assertThatThrownBy(() -> transport(uri, forLoopback.pem(), false).post(uri, Map.of(), BODY, Duration.ofMillis(300)))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageContaining("no answer from 127.0.0.1:");
  }

  @Test
  void anInterruptStopsTheExchange() throws Exception {
    URI uri = silentServer();
    ControlPlaneTransport t = transport(uri, forLoopback.pem(), false);
    CompletableFuture<Thread> caller = new CompletableFuture<>();
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread th = new Thread(() -> {
      caller.complete(Thread.currentThread());
      try {
        outcome.complete(t.post(uri, Map.of(), BODY, Duration.ofMinutes(5)));
      } catch (Exception e) {
        outcome.complete(e);
      }
    });
    th.start();
    caller.get();
    Thread.sleep(200);
    th.interrupt();
    // Without the interruptible channel the call would block until the 5-minute deadline.
    assertThat(outcome.get(60, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
  }


  @Test
  void aPreparedConnectionIsHandshakenBeforeThePostAndUsedByIt() throws Exception {
    CountingServer server = countingServer(forLoopback);
    ControlPlaneTransport t = transport(server.uri, forLoopback.pem(), false);
    t.prepare(server.uri);
    // The handshake completes with no request sent: that is the start-up work prepare() takes off the path.
    await().atMost(Duration.ofSeconds(20)).until(() -> server.handshakes.get() == 1);
    assertThat(server.requests.get()).isZero();
    MiniHttp.Response r = t.post(server.uri.resolve("/bootstrap"), Map.of(), BODY, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("answer 1");
    assertThat(server.accepted.get()).as("connections").isEqualTo(1);
    // One use only: the next post connects again.
    t.post(server.uri.resolve("/bootstrap"), Map.of(), BODY, TIMEOUT);
    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  void aPreparationThatFailsLeavesThePostsOwnError() throws Exception {
    URI uri = https(forHostName, false);
    ControlPlaneTransport t = transport(uri, forLoopback.pem(), false);
    t.prepare(uri);
    assertThatThrownBy(() -> t.post(uri, Map.of(), BODY, TIMEOUT))
        .isInstanceOf(TlsFailure.class)
        .hasMessageStartingWith("TLS: the control plane's certificate is not signed by the CA in KUMA_CONTROL_PLANE_CA_CERT");
  }

  @Test
  void aConnectionPreparedForAnotherAddressIsClosedNotUsed() throws Exception {
    CountingServer other = countingServer(forLoopback);
    CountingServer target = countingServer(forLoopback);
    ControlPlaneTransport t = transport(target.uri, forLoopback.pem(), false);
    t.prepare(other.uri);
    await().atMost(Duration.ofSeconds(20)).until(() -> other.handshakes.get() == 1);
    assertThat(t.post(target.uri, Map.of(), BODY, TIMEOUT).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> other.closed.get() == 1);
    assertThat(other.requests.get()).isZero();
  }

  @Test
  void closingTheTransportClosesAnUnusedPreparedConnection() throws Exception {
    CountingServer server = countingServer(forLoopback);
    ControlPlaneTransport t = transport(server.uri, forLoopback.pem(), false);
    t.prepare(server.uri);
    await().atMost(Duration.ofSeconds(20)).until(() -> server.handshakes.get() == 1);
    t.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> server.closed.get() == 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> !threadNames().contains("cp-connect"));
  }


  @Test
  void aServerWithoutX25519GetsTheDefaultGroupsOnTheNextHandshake() throws Exception {
    CountingServer server = countingServer(forLoopback, "secp256r1", "secp384r1");
    ControlPlaneTransport t = transport(server.uri, forLoopback.pem(), false);
    assertThat(t.post(server.uri, Map.of(), BODY, TIMEOUT).status()).isEqualTo(200);
    // The first handshake offered X25519 alone (with P-256 in its list it would have succeeded).
    assertThat(server.accepted.get()).as("the X25519-only handshake, then one with the defaults").isEqualTo(2);
    // Remembered: later connections go straight to the default groups.
    assertThat(t.post(server.uri, Map.of(), BODY, TIMEOUT).status()).isEqualTo(200);
    assertThat(server.accepted.get()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- helpers

  private static ControlPlaneTransport transport(URI uri, String caPem, boolean skipVerify) {
    return ControlPlaneTransport.forControlPlane(
        new AgentConfig.ControlPlane(uri, caPem, skipVerify, Duration.ofSeconds(1), Duration.ofSeconds(5)));
  }

  /** An HTTPS server that echoes method, path, content type and body, sized or chunked. */
  private URI https(Cert cert, boolean chunked) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(cert.server()));
    s.createContext("/", ex -> {
      try (ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] answer = (ex.getRequestMethod() + " " + ex.getRequestURI() + " " + type + " "
            + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, chunked ? 0 : answer.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(answer);
        }
      }
    });
    s.start();
    servers.add(() -> s.stop(0));
    return URI.create("https://127.0.0.1:" + s.getAddress().getPort());
  }

  /** A TLS server that counts connections, completed handshakes, requests and connections closed by the client. */
  record CountingServer(URI uri, AtomicInteger accepted, AtomicInteger handshakes, AtomicInteger requests,
      AtomicInteger closed) {}

  private CountingServer countingServer(Cert cert, String... groups) throws IOException {
    SSLServerSocket ss = (SSLServerSocket) cert.server().getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    if (groups.length > 0) {
      SSLParameters params = ss.getSSLParameters();
      params.setNamedGroups(groups);
      ss.setSSLParameters(params);
    }
    CountingServer counts = new CountingServer(URI.create("https://127.0.0.1:" + ss.getLocalPort()),
        new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          SSLSocket s = (SSLSocket) ss.accept();
          counts.accepted.incrementAndGet();
          Thread conn = new Thread(() -> serveOne(s, counts));
          conn.setDaemon(true);
          conn.start();
        }
      } catch (IOException closed) {
        // the test is over
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    servers.add(ss);
    return counts;
  }

  /** One request per connection: reads the head and a Content-Length body, answers "answer N". */
  private static void serveOne(SSLSocket s, CountingServer counts) {
    try (s) {
      s.startHandshake();
      counts.handshakes.incrementAndGet();
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      int c;
      while (!head.toString().endsWith("\r\n\r\n")) {
        if ((c = in.read()) < 0) {
          counts.closed.incrementAndGet();
          return;
        }
        head.append((char) c);
      }
      Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      in.readNBytes(m.find() ? Integer.parseInt(m.group(1)) : 0);
      byte[] answer = ("answer " + counts.requests.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(answer);
      s.getOutputStream().flush();
    } catch (IOException e) {
      counts.closed.incrementAndGet();
    }
  }

  /** Accepts connections and never says a word. */
  private URI silentServer() throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<Socket> held = new ArrayList<>();
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(ss.accept());
        }
      } catch (IOException closed) {
        // the test is over
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    servers.add(() -> {
      ss.close();
      for (Socket s : held) {
        s.close();
      }
    });
    return URI.create("https://127.0.0.1:" + ss.getLocalPort());
  }

  private static List<String> threadNames() {
    List<String> names = new ArrayList<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    return names;
  }
}
