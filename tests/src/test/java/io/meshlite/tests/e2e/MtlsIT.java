package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.ControlPlane;
import io.meshlite.tests.support.DataplaneAgent;
import io.meshlite.tests.support.Http;
import io.meshlite.tests.support.JavaProcess;
import io.meshlite.tests.support.Kumactl;
import io.meshlite.tests.support.TcpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P4 end to end with real kuma-cp, kuma-dp and Envoy: mesh mTLS with the builtin CA and traffic
 * permissions.
 *
 * <p>To see the bytes between the two Envoys, the client's only endpoint of {@code backend} is a
 * relay this test runs: a Dataplane {@code relay-1} that no proxy runs advertises the relay's port
 * as a {@code backend} inbound, and the real backend's inbound is {@code NotReady} (its listener
 * exists, it is just not an endpoint). The relay forwards to the backend's inbound and records
 * everything that passes.
 */
class MtlsIT {
  private static final String MESSAGE = "top secret payload through the mesh\n";

  @TempDir Path work;

  private ControlPlane cp;
  private Kumactl kumactl;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startControlPlane() {
    cp = ControlPlane.start(work, Map.of());
    kumactl = new Kumactl(work, cp.apiUrl());
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    cp.close();
  }

  @Test
  void mtlsEncryptsTrafficAndPermissionsDecide() {
    int backendApp = echo();
    int webApp = echo();
    int backendInbound = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    Relay relay = relay(backendInbound);
    apply(mesh("default", "") + allowAll("default") + dataplanes(backendInbound, backendApp, relay.port(), webInbound, webApp, webOutbound));

    DataplaneAgent backend = agent("default", "backend-1");
    DataplaneAgent web = agent("default", "web-1");
    await("the client's backend cluster points at the relay")
        .atMost(Duration.ofSeconds(30))
        .until(() -> web.admin().healthyEndpoints("backend").equals(List.of("127.0.0.1:" + relay.port())));

    // Allowed: traffic flows, over mutual TLS.
    awaitFlows(web, webOutbound);
    assertThat(relay.seen()).as("bytes relayed").isNotEmpty();
    assertThat(relay.seenText()).as("the payload on the wire").doesNotContain(MESSAGE.strip());
    assertThat(relay.seen()[0]).as("first byte: a TLS handshake record").isEqualTo((byte) 0x16);
    assertThat(backend.admin().stat("listener.127.0.0.1_" + backendInbound + ".ssl.handshake").orElse(0))
        .isPositive();
    assertThat(web.admin().stat("cluster.backend.ssl.handshake").orElse(0)).isPositive();
    assertThat(certificateUris(backend)).contains("spiffe://default/backend", "kuma://kuma.io/service/backend");

    // A more specific Deny for web wins over the mesh-wide Allow: the connection is refused.
    apply(
        """
        type: MeshTrafficPermission
        mesh: default
        name: deny-web
        spec:
          targetRef:
            kind: MeshService
            name: backend
          from:
          - targetRef:
              kind: MeshService
              name: web
            default:
              action: Deny
        """);
    String denied = "rbac.denied";
    await("web is denied")
        .atMost(Duration.ofSeconds(20))
        .until(() -> !TcpClient.roundTrip(webOutbound, MESSAGE).equals(MESSAGE));
    assertThat(TcpClient.roundTrip(webOutbound, MESSAGE)).isNotEqualTo(MESSAGE);
    assertThat(backend.admin().stat("inbound_127_0_0_1_" + backendInbound + "." + denied).orElse(0))
        .as("RBAC denials on the backend's inbound")
        .isPositive();

    // Without the Deny, traffic flows again.
    JavaProcess.Result deleted = kumactl.run("delete", "meshtrafficpermission", "deny-web", "--mesh", "default");
    assertThat(deleted.exitCode()).as(deleted.output()).isZero();
    awaitFlows(web, webOutbound);

    // mTLS off on the live mesh: plaintext again, which the relay now sees.
    apply(mesh("default", "mtlsOff"));
    relay.reset();
    await("plaintext after mTLS is turned off")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(webOutbound, MESSAGE).equals(MESSAGE) && relay.seenText().contains(MESSAGE.strip()));

    // And on again: encrypted again.
    apply(mesh("default", ""));
    await("encrypted after mTLS is turned back on")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              relay.reset();
              return TcpClient.roundTrip(webOutbound, MESSAGE).equals(MESSAGE)
                  && relay.seen().length > 0
                  && !relay.seenText().contains(MESSAGE.strip());
            });
  }

  @Test
  void certificatesRotateUnderSteadyTrafficWithoutFailedRequests() throws Exception {
    int backendApp = echo();
    int webApp = echo();
    int backendInbound = Ports.free();
    int webInbound = Ports.free();
    int webOutbound = Ports.free();
    // 60 s certificates are renewed after 48 s.
    apply(mesh("default", "rotation: {expiration: 60s}") + allowAll("default")
        + dataplanes(backendInbound, backendApp, 0, webInbound, webApp, webOutbound));
    DataplaneAgent backend = agent("default", "backend-1");
    DataplaneAgent web = agent("default", "web-1");
    awaitFlows(web, webOutbound);

    String backendSerial = servedSerial(backend).orElseThrow();
    String webSerial = servedSerial(web).orElseThrow();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread traffic =
        Thread.ofPlatform()
            .name("steady-traffic")
            .start(
                () -> {
                  int i = 0;
                  while (!stop.get()) {
                    String msg = "request " + i++ + "\n";
                    String got = TcpClient.roundTrip(webOutbound, msg);
                    if (got.equals(msg)) {
                      ok.incrementAndGet();
                    } else {
                      failures.add(msg.strip() + " -> " + got);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                  }
                });
    try {
      await("both proxies serve a new certificate")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  servedSerial(backend).filter(s -> !s.equals(backendSerial)).isPresent()
                      && servedSerial(web).filter(s -> !s.equals(webSerial)).isPresent());
      int before = ok.get();
      await("traffic keeps flowing on the new certificates")
          .atMost(Duration.ofSeconds(20))
          .until(() -> ok.get() >= before + 20);
    } finally {
      stop.set(true);
      traffic.join();
    }
    assertThat(failures).as("failed requests during rotation").isEmpty();
    assertThat(ok.get()).isGreaterThan(100);
  }

  @Test
  void aDataplaneOfAnotherMeshIsRefused() {
    int backendApp = echo();
    int backendInbound = Ports.free();
    int clientInbound = Ports.free();
    int clientOutbound = Ports.free();
    int clientApp = echo();
    apply(
        mesh("default", "") + allowAll("default") + mesh("other", "") + allowAll("other")
            + """
            type: Dataplane
            mesh: default
            name: backend-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags:
                  kuma.io/service: backend
            ---
            # In mesh "other", a backend endpoint that is really mesh default's backend.
            type: Dataplane
            mesh: other
            name: backend-elsewhere
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                tags:
                  kuma.io/service: backend
            ---
            type: Dataplane
            mesh: other
            name: client-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                servicePort: %d
                tags:
                  kuma.io/service: client
              outbound:
              - port: %d
                tags:
                  kuma.io/service: backend
            """
                .formatted(backendInbound, backendApp, backendInbound, clientInbound, clientApp, clientOutbound));
    DataplaneAgent backend = agent("default", "backend-1");
    DataplaneAgent client = agent("other", "client-1");
    await("the other mesh's client knows the endpoint")
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.admin().healthyEndpoints("backend").equals(List.of("127.0.0.1:" + backendInbound)));
    await("the client's TLS handshake fails on the foreign CA")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              TcpClient.roundTrip(clientOutbound, MESSAGE);
              return client.admin().stat("cluster.backend.ssl.fail_verify_error").orElse(0) > 0;
            });
    for (int i = 0; i < 3; i++) {
      assertThat(TcpClient.roundTrip(clientOutbound, MESSAGE)).isNotEqualTo(MESSAGE);
    }
    assertThat(client.admin().stat("cluster.backend.ssl.handshake").orElse(0)).isZero();
    assertThat(backend.admin().stat("listener.127.0.0.1_" + backendInbound + ".ssl.handshake").orElse(0)).isZero();
    assertThat(TcpClient.roundTrip(backendApp, MESSAGE)).as("the backend itself is up").isEqualTo(MESSAGE);
  }

  // ------------------------------------------------------------------ fixtures

  /** A Mesh with the builtin CA; {@code dpCert} is YAML for dpCert, or "mtlsOff". */
  private static String mesh(String name, String dpCert) {
    if (dpCert.equals("mtlsOff")) {
      return """
          type: Mesh
          name: %s
          mtls:
            backends:
            - name: ca-1
              type: builtin
          ---
          """.formatted(name);
    }
    return """
        type: Mesh
        name: %s
        mtls:
          enabledBackend: ca-1
          backends:
          - name: ca-1
            type: builtin
            %s
        ---
        """.formatted(name, dpCert.isEmpty() ? "" : "dpCert: {" + dpCert + "}");
  }

  private static String allowAll(String mesh) {
    return """
        type: MeshTrafficPermission
        mesh: %s
        name: allow-all
        spec:
          targetRef:
            kind: Mesh
          from:
          - targetRef:
              kind: Mesh
            default:
              action: Allow
        ---
        """.formatted(mesh);
  }

  /** backend-1 and web-1; with a relay port, backend-1 is NotReady and relay-1 stands in for it. */
  private static String dataplanes(
      int backendInbound, int backendApp, int relayPort, int webInbound, int webApp, int webOutbound) {
    String relay =
        relayPort == 0
            ? ""
            : """
            ---
            type: Dataplane
            mesh: default
            name: relay-1
            networking:
              address: 127.0.0.1
              inbound:
              - port: %d
                tags:
                  kuma.io/service: backend
            """.formatted(relayPort);
    return """
        type: Dataplane
        mesh: default
        name: backend-1
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            state: %s
            tags:
              kuma.io/service: backend
        ---
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 127.0.0.1
          inbound:
          - port: %d
            servicePort: %d
            tags:
              kuma.io/service: web
          outbound:
          - port: %d
            tags:
              kuma.io/service: backend
        """.formatted(backendInbound, backendApp, relayPort == 0 ? "Ready" : "NotReady", webInbound, webApp, webOutbound)
        + relay;
  }

  private void apply(String yaml) {
    String doc = yaml.strip();
    if (doc.endsWith("---")) {
      doc = doc.substring(0, doc.length() - 3);
    }
    JavaProcess.Result r = kumactl.apply(doc);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private DataplaneAgent agent(String mesh, String name) {
    DataplaneAgent a = DataplaneAgent.start(work, cp.dpServerUrl(), mesh, name, List.of(), Map.of());
    closing.add(a);
    return a.awaitReady();
  }

  private static void awaitFlows(DataplaneAgent client, int outbound) {
    await("echo through both Envoys")
        .atMost(Duration.ofSeconds(30))
        .until(() -> TcpClient.roundTrip(outbound, MESSAGE).equals(MESSAGE));
  }

  /** The serial of the workload certificate an Envoy serves (from its admin {@code /certs}). */
  private static Optional<String> servedSerial(DataplaneAgent a) {
    for (JsonNode chainCert : servedChain(a)) {
      if (!chainCert.path("subject_alt_names").isEmpty()) {
        return Optional.of(chainCert.path("serial_number").asText());
      }
    }
    return Optional.empty();
  }

  private static List<String> certificateUris(DataplaneAgent a) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : servedChain(a)) {
      c.path("subject_alt_names").forEach(san -> out.add(san.path("uri").asText()));
    }
    return out;
  }

  private static List<JsonNode> servedChain(DataplaneAgent a) {
    Http.Response r = Http.get(a.admin().url("/certs"));
    List<JsonNode> out = new ArrayList<>();
    if (r.status() != 200) {
      return out;
    }
    try {
      for (JsonNode cert : Json.mapper().readTree(r.body()).path("certificates")) {
        cert.path("cert_chain").forEach(out::add);
      }
    } catch (IOException e) {
      throw new AssertionError("unreadable /certs: " + r.body(), e);
    }
    return out;
  }

  /** An echo server on a free loopback port, in this JVM. */
  private int echo() {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      closing.add(server);
      Thread.ofVirtual()
          .name("echo-" + server.getLocalPort())
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> pump(s, s, null));
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      return server.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Relay relay(int target) {
    Relay r = new Relay(target);
    closing.add(r);
    return r;
  }

  /** Copies {@code from}'s input to {@code to}'s output, also into {@code record}, until EOF. */
  private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
    byte[] buf = new byte[8192];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        if (record != null) {
          synchronized (record) {
            record.write(buf, 0, n);
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // the other side went away
    } finally {
      if (from == to) {
        try {
          from.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  /** A TCP relay to 127.0.0.1:target that records the bytes passing in both directions. */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    Relay(int target) {
      try {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Thread.ofVirtual()
          .name("relay-" + server.getLocalPort())
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    try {
                      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
                    } catch (IOException refused) {
                      client.close();
                      continue;
                    }
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              Thread up = Thread.ofVirtual().start(() -> pump(client, upstream, seen));
                              pump(upstream, client, seen);
                              try {
                                up.join();
                                client.close();
                                upstream.close();
                              } catch (InterruptedException | IOException e) {
                                // test teardown
                              }
                            });
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    byte[] seen() {
      synchronized (seen) {
        return seen.toByteArray();
      }
    }

    String seenText() {
      return new String(seen(), StandardCharsets.ISO_8859_1);
    }

    void reset() {
      synchronized (seen) {
        seen.reset();
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
