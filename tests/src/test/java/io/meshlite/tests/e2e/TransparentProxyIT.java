package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.testing.Ports;
import io.meshlite.tests.support.EnvoyBinary;
import io.meshlite.tests.support.NamespacedEnvoyAdmin;
import io.meshlite.tests.support.NamespacedProcess;
import io.meshlite.tests.support.NetworkNamespace.CommandResult;
import io.meshlite.tests.support.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * P5 end to end: transparent proxying between two "hosts", network namespaces A (10.201.0.1) and B
 * (10.201.0.2) joined by a veth pair, with real iptables (kuma-init run inside each namespace) and
 * real Envoy. kuma-cp runs in A; B reaches its dp-server over the veth.
 *
 * <pre>
 *  A: kuma-cp, kuma-init, kuma-dp/Envoy (client-1), curl        B: kuma-init, kuma-dp/Envoy (backend-1), app :8080
 *     curl http://&lt;backend VIP&gt;:80 ─▶ iptables ─▶ 15001 ─▶ outbound:&lt;vip&gt;:80 ──veth──▶ iptables ─▶ 15006 ─▶ inbound ─▶ app
 * </pre>
 *
 * <p>kuma-dp runs as root in both and drops Envoy to the exempt uid with {@code --run-envoy-as};
 * the exempt uid is 65534 (nobody), which exists everywhere, given to kuma-init as {@code
 * --kuma-dp-user}. B's kuma-dp reaches the control plane as root, so B excludes the dp-server port
 * from outbound redirection, and A excludes it from inbound redirection so B's proxy talks to the
 * control plane directly.
 *
 * <p>The DNS test adds host C (10.202.0.3, linked to A as 10.202.0.1), which runs the upstream
 * resolver named in A's own resolv.conf ({@code /etc/netns/<ns>/resolv.conf}); there A's kuma-dp
 * runs as the exempt uid itself (setpriv), as it must with DNS redirection.
 *
 * <p>The mesh has mTLS from the builtin CA (STRICT): the hop between A and B is checked with the
 * TLS handshake stats of both Envoys, a direct (plaintext) connection to B's application port is
 * refused by B's inbound, and a MeshTrafficPermission Deny is enforced by B's RBAC.
 */
class TransparentProxyIT {
  private static final String A_ADDRESS = "10.201.0.1";
  private static final String B_ADDRESS = "10.201.0.2";
  private static final String EXEMPT_UID = "65534";
  /** Host A's address on its second link, to host C, the upstream DNS resolver. */
  private static final String A_DNS_ADDRESS = "10.202.0.1";
  private static final String RESOLVER_ADDRESS = "10.202.0.3";
  private static final String EXAMPLE_ORG = "198.51.100.7";
  private static final String HELLO = "hello from backend";
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration PROPAGATION = Duration.ofSeconds(20);
  private static final Duration CURL = Duration.ofSeconds(5);

  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private final List<AutoCloseable> processes = new ArrayList<>();
  private final List<NamespacedProcess> agents = new ArrayList<>();
  private String id;
  private NetworkNamespace a;
  private NetworkNamespace b;
  private Path work;
  private Path logs;
  private int apiPort;
  private int dpPort;
  private int diagPort;
  private int appPort;

  @BeforeEach
  void createHosts() throws IOException {
    id = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    // Envoy runs as an unprivileged user: its work dirs must be reachable (a JUnit @TempDir is 0700).
    work = Files.createTempDirectory("meshlite-tp-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    closeLast.add(() -> deleteTree(work));
    logs = work.resolve("logs");
    a = NetworkNamespace.create("ml-tp-" + id + "-a");
    closeLast.add(a);
    b = NetworkNamespace.create("ml-tp-" + id + "-b");
    closeLast.add(b);
    NetworkNamespace.link(a, "tpa0", A_ADDRESS + "/24", b, "tpb0", B_ADDRESS + "/24");
    // The hosts have no default route: the VIP range needs one (a VM's default route covers it).
    a.execOk("ip", "route", "add", "240.0.0.0/4", "dev", "tpa0");
    apiPort = Ports.free();
    dpPort = Ports.free();
    diagPort = Ports.free();
    appPort = Ports.free();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable p : processes.reversed()) {
      p.close();
    }
    keepLogs();
    for (AutoCloseable c : closeLast.reversed()) {
      c.close();
    }
  }

  @Test
  void unmodifiedClientReachesTheBackendVipThroughBothEnvoysAndUninstallRestoresPlainNetworking() throws Exception {
    startControlPlaneIn(a);
    NamespacedProcess app =
        track(b.startJava("app-b", logs, "io.meshlite.tests.support.HelloHttpMain",
            List.of(String.valueOf(appPort), HELLO), Map.of()));
    await("backend app listening").atMost(STARTUP).until(() -> b.curl(CURL, "http://127.0.0.1:" + appPort + "/").ok());

    kumaInit(a, "install", "--kuma-dp-user", EXEMPT_UID, "--ip-family-mode", "ipv4",
        "--exclude-inbound-ports", String.valueOf(dpPort));
    String[] bFlags = {"--kuma-dp-user", EXEMPT_UID, "--ip-family-mode", "ipv4", "--exclude-outbound-ports", String.valueOf(dpPort)};
    kumaInit(b, concat("install", bFlags));
    kumaInit(b, concat("verify", bFlags));

    apply(meshWithMtls());
    apply(ALLOW_ALL);
    apply(dataplaneJson("backend-1", B_ADDRESS, "backend", appPort));
    apply(dataplaneJson("client-1", A_ADDRESS, "client", Ports.free()));

    Path clientWork = work.resolve("dp-client");
    NamespacedEnvoyAdmin backend = agent(b, "backend-1", "https://" + A_ADDRESS + ":" + dpPort, work.resolve("dp-backend"), false);
    NamespacedEnvoyAdmin client = agent(a, "client-1", "https://127.0.0.1:" + dpPort, clientWork, false);

    // The name -> VIP table kuma-dp's DNS stub polls, straight from Envoy's Unix socket.
    Path socket = clientWork.resolve("kuma-mesh-metric-config.sock");
    await("/dns lists backend.mesh").atMost(PROPAGATION).untilAsserted(() ->
        assertThat(dns(socket).body())
            .as("GET /dns on %s (%s); Envoy's listeners: %s", socket, curlUnix(socket).stderr(), client.get("/listeners"))
            .contains("\"backend.mesh\""));
    DnsReply dns = dns(socket);
    assertThat(dns.status()).isEqualTo(200);
    assertThat(dns.etag()).isEqualTo(sha256(dns.body()));
    JsonNode table = Json.mapper().readTree(dns.body());
    assertThat(table.get("ttl").asInt()).isEqualTo(30);
    assertThat(table.get("records")).extracting(r -> r.get("name").asText()).containsExactly("backend.mesh", "client.mesh");
    String vip = table.get("records").get(0).get("ips").get(0).asText();
    assertThat(vip).startsWith("240.");
    assertThat(dnsIfNoneMatch(socket, dns.etag())).isEqualTo(304);

    // 1. An unmodified client calls the backend's VIP: iptables -> A's Envoy -> B's Envoy -> app.
    await("client listener for the backend VIP").atMost(PROPAGATION)
        .until(() -> client.get("/listeners").contains("outbound:" + vip + ":80"));
    await("backend endpoint known").atMost(PROPAGATION)
        .until(() -> client.get("/clusters").contains("backend::" + B_ADDRESS + ":" + appPort + "::health_flags::healthy"));
    CommandResult viaVip = a.curl(CURL, "http://" + vip + ":80/");
    assertThat(viaVip.exitCode()).as(viaVip.stderr()).isZero();
    // B's Envoy hands the request to the app from 127.0.0.1: the app never sees A directly.
    assertThat(viaVip.stdout()).startsWith(HELLO).contains("caller 127.0.0.1");
    assertThat(client.stat("listener." + vip + "_80.downstream_cx_total")).isPositive();
    assertThat(client.stat("cluster.backend.upstream_cx_total")).isPositive();
    assertThat(backend.stat("listener." + B_ADDRESS + "_" + appPort + ".downstream_cx_total")).isPositive();
    assertThat(backend.stat("cluster.localhost_" + appPort + ".upstream_cx_total")).isPositive();
    // The proxy's own connection to B was not redirected back into it (Envoy runs as the exempt uid).
    assertThat(client.stat("cluster.outbound_passthrough_ipv4.upstream_cx_total")).isZero();
    assertEnvoyRunsAsExemptUid();
    // The hop between the hosts is mutual TLS: both ends completed handshakes with mesh certificates.
    String backendInbound = "listener." + B_ADDRESS + "_" + appPort;
    assertThat(client.stat("cluster.backend.ssl.handshake")).isPositive();
    assertThat(backend.stat(backendInbound + ".ssl.handshake")).isPositive();
    assertThat(backend.stat(backendInbound + ".ssl.no_certificate")).isZero();
    // with the mesh identities of the builtin CA
    assertThat(client.get("/certs")).contains("spiffe://default/client");
    assertThat(backend.get("/certs")).contains("spiffe://default/backend");

    // 2. A direct connection to B's application port is caught on both sides: it leaves A through
    // the outbound passthrough (plaintext, no mesh identity) and enters B through the inbound
    // listener, which only takes mesh mTLS: it never reaches the application.
    String appBytes = "cluster.localhost_" + appPort + ".upstream_cx_tx_bytes_total";
    long appBytesBefore = backend.stat(appBytes);
    long passthroughBefore = client.stat("cluster.outbound_passthrough_ipv4.upstream_cx_total");
    long inboundCxBefore = backend.stat(backendInbound + ".downstream_cx_total");
    long tlsErrorsBefore = backend.stat(backendInbound + ".ssl.connection_error");
    CommandResult direct = a.curl(CURL, "http://" + B_ADDRESS + ":" + appPort + "/");
    assertThat(direct.exitCode()).as("direct connection answered: " + direct.stdout()).isNotZero();
    assertThat(direct.stdout()).doesNotContain(HELLO);
    // (counted with ">": a refused plaintext connection may be attempted more than once)
    assertThat(client.stat("cluster.outbound_passthrough_ipv4.upstream_cx_total")).isGreaterThan(passthroughBefore);
    assertThat(backend.stat(backendInbound + ".downstream_cx_total")).isGreaterThan(inboundCxBefore);
    assertThat(backend.stat(backendInbound + ".ssl.connection_error")).isGreaterThan(tlsErrorsBefore);
    // Envoy's TCP proxy dials the application as a connection arrives, before TLS is done: what
    // counts is that not one byte of the refused connection reached it.
    assertThat(backend.stat(appBytes)).isEqualTo(appBytesBefore);

    // 3. Traffic permissions decide for the redirected traffic: a Deny for the client is enforced
    // by B's inbound (RBAC), and removing it lets the unmodified client through again.
    String rbacDenied = "inbound_" + B_ADDRESS.replace('.', '_') + "_" + appPort + ".rbac.denied";
    long deniedBefore = backend.stat(rbacDenied);
    apply(DENY_CLIENT);
    await("the client is denied").atMost(PROPAGATION)
        .until(() -> !a.curl(CURL, "http://" + vip + ":80/").stdout().startsWith(HELLO));
    appBytesBefore = backend.stat(appBytes);
    long tlsHandshakesBefore = backend.stat(backendInbound + ".ssl.handshake");
    CommandResult denied = a.curl(CURL, "http://" + vip + ":80/");
    assertThat(denied.stdout()).doesNotContain(HELLO);
    assertThat(backend.stat(rbacDenied)).isGreaterThan(deniedBefore);
    // denied after a good mTLS handshake (the client is known), and nothing reached the application
    assertThat(backend.stat(backendInbound + ".ssl.handshake")).isGreaterThan(tlsHandshakesBefore);
    assertThat(backend.stat(appBytes)).isEqualTo(appBytesBefore);
    delete("meshtrafficpermissions", "deny-client");
    await("the client is allowed again").atMost(PROPAGATION)
        .until(() -> a.curl(CURL, "http://" + vip + ":80/").stdout().startsWith(HELLO));
    long inboundBefore = backend.stat("cluster.localhost_" + appPort + ".upstream_cx_total");
    passthroughBefore = client.stat("cluster.outbound_passthrough_ipv4.upstream_cx_total");

    // 4. Uninstall restores plain networking: A reaches B's app directly, no Envoy on the way.
    kumaInit(a, "uninstall");
    kumaInit(b, "uninstall");
    assertThat(a.execOk("iptables-save")).doesNotContain("KUMA_MESH");
    CommandResult verifyGone = b.runJava("io.meshlite.iptables.KumaInitMain", concat("verify", bFlags));
    assertThat(verifyGone.exitCode()).as("kuma-init verify after uninstall: " + verifyGone.stdout()).isEqualTo(1);
    CommandResult plain = a.curl(CURL, "http://" + B_ADDRESS + ":" + appPort + "/");
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout()).startsWith(HELLO).contains("caller " + A_ADDRESS);
    assertThat(client.stat("cluster.outbound_passthrough_ipv4.upstream_cx_total")).isEqualTo(passthroughBefore);
    assertThat(backend.stat("cluster.localhost_" + appPort + ".upstream_cx_total")).isEqualTo(inboundBefore);
    assertThat(app.alive()).isTrue();
  }


  /**
   * P6 end to end: with DNS redirection on, an unmodified client on A resolves {@code backend.mesh}
   * through the system resolver (A's resolv.conf names resolver C) and kuma-dp's stub answers it;
   * other names go on to C. A's kuma-dp runs as the exempt uid (setpriv), so its own queries to C
   * leave the host. B's kuma-dp runs as root, so its forwarded queries come back to its own stub:
   * they are answered SERVFAIL and kuma-dp says once, at ERROR, that it must run as the exempt user.
   */
  @Test
  void unmodifiedClientResolvesMeshNamesThroughTheStubAndOtherNamesThroughTheUpstream() throws Exception {
    NetworkNamespace c = NetworkNamespace.create("ml-tp-" + id + "-c");
    closeLast.add(c);
    NetworkNamespace.link(a, "tpa1", A_DNS_ADDRESS + "/24", c, "tpc0", RESOLVER_ADDRESS + "/24");
    a.resolvConf("nameserver " + RESOLVER_ADDRESS + "\noptions timeout:2 attempts:1\n");
    // B's nameserver: any routable address will do, its kuma-dp's queries never leave B.
    b.resolvConf("nameserver " + A_ADDRESS + "\noptions timeout:2 attempts:1\n");
    NamespacedProcess resolver = track(c.startJava("resolver-c", logs, "io.meshlite.tests.support.StaticDnsMain",
        List.of(RESOLVER_ADDRESS, "53", "example.org=" + EXAMPLE_ORG), Map.of()));
    startControlPlaneIn(a);
    track(b.startJava("app-b", logs, "io.meshlite.tests.support.HelloHttpMain", List.of(String.valueOf(appPort), HELLO), Map.of()));
    await("backend app and resolver up").atMost(STARTUP)
        .until(() -> resolver.output().contains("serving DNS") && b.curl(CURL, "http://127.0.0.1:" + appPort + "/").ok());

    kumaInit(a, "install", "--kuma-dp-user", EXEMPT_UID, "--ip-family-mode", "ipv4", "--redirect-dns",
        "--exclude-inbound-ports", String.valueOf(dpPort));
    // B leaves out the conntrack zone split: it marks the stub's answers by the exempt uid, so with a
    // kuma-dp that is not that user no answer of the stub would reach a client at all.
    kumaInit(b, "install", "--kuma-dp-user", EXEMPT_UID, "--ip-family-mode", "ipv4", "--redirect-dns",
        "--skip-dns-conntrack-zone-split", "--exclude-outbound-ports", String.valueOf(dpPort));
    assertThat(a.execOk("iptables-save")).contains("--dport 53", "--to-ports 15053");

    apply("{\"type\":\"Mesh\",\"name\":\"default\"}");
    apply(dataplaneJson("backend-1", B_ADDRESS, "backend", appPort));
    apply(dataplaneJson("client-1", A_ADDRESS, "client", Ports.free()));
    NamespacedEnvoyAdmin backend = agent(b, "backend-1", "https://" + A_ADDRESS + ":" + dpPort, work.resolve("dp-backend"), false);
    NamespacedEnvoyAdmin client = agent(a, "client-1", "https://127.0.0.1:" + dpPort, work.resolve("dp-client"), true);
    NamespacedProcess clientDp = agents.get(1);
    assertThat(uids(clientDp.process().pid())).as("kuma-dp's uids on A").containsOnly(EXEMPT_UID);
    assertEnvoyRunsAsExemptUid();

    // 1. backend.mesh through the system resolver (glibc, resolv.conf) -> iptables -> the stub.
    String vip = awaitAddress(a, "backend.mesh", "240.");
    // Until the stub's first table arrives it forwards every name (as Kuma's does): look at what
    // reaches the resolver from now on.
    int resolverMark = resolver.output().length();
    await("client listener for the backend VIP").atMost(PROPAGATION)
        .until(() -> client.get("/listeners").contains("outbound:" + vip + ":80"));
    await("backend endpoint known").atMost(PROPAGATION)
        .until(() -> client.get("/clusters").contains("backend::" + B_ADDRESS + ":" + appPort + "::health_flags::healthy"));
    CommandResult byName = a.curl(CURL, "http://backend.mesh:80/");
    assertThat(byName.exitCode()).as(byName.stderr()).isZero();
    assertThat(byName.stdout()).startsWith(HELLO).contains("caller 127.0.0.1");
    assertThat(client.stat("listener." + vip + "_80.downstream_cx_total")).isPositive();
    assertThat(backend.stat("cluster.localhost_" + appPort + ".upstream_cx_total")).isPositive();

    // 2. Other names: the stub forwards them to C (as the exempt uid, so not redirected again).
    CommandResult example = a.exec(CURL, "getent", "ahostsv4", "example.org");
    assertThat(example.exitCode()).as(example.stderr()).isZero();
    assertThat(example.stdout()).startsWith(EXAMPLE_ORG);
    CommandResult unknown = a.exec(CURL, "getent", "ahostsv4", "nowhere.example.org");
    assertThat(unknown.exitCode()).as("NXDOMAIN from C").isEqualTo(2);
    String seenByResolver = resolver.output().substring(resolverMark);
    // from A's own address: kuma-dp's query, not the client's (which iptables sent to the stub)
    assertThat(seenByResolver).contains("query example.org. A from " + A_DNS_ADDRESS + " over udp",
        "query nowhere.example.org. A from " + A_DNS_ADDRESS);
    assertThat(seenByResolver).as("mesh names never leave host A").doesNotContain("backend.mesh");
    assertThat(clientDp.output()).doesNotContain("forwarding loop");

    // 3. B's kuma-dp is not the exempt user: its forwarded query comes back to its own stub.
    NamespacedProcess backendDp = agents.get(0);
    for (String name : List.of("example.org", "other.example.org", "example.org")) {
      assertThat(query(b, name)).as("the stub's answer for " + name + " on B").isEqualTo("rcode=SERVFAIL answers=");
    }
    String backendMetrics = metrics(work.resolve("dp-backend").resolve("kuma-mh-backend-1-default.sock"));
    // (at least: anything else on B that resolves a name outside the mesh loops the same way)
    assertThat(sample(backendMetrics, "kuma_dp_dns_forwarding_loops_total")).isGreaterThanOrEqualTo(3);
    assertThat(metrics(work.resolve("dp-client").resolve("kuma-mh-client-1-default.sock")))
        .contains("\nkuma_dp_dns_forwarding_loops_total 0\n", "kuma_dp_dns_answers_total{source=\"local\"}")
        .doesNotContain("kuma_dp_dns_answers_total{source=\"upstream\"} 0\n");
    assertThat(backendDp.output().lines().filter(l -> l.contains("forwarding loop")).toList())
        .as("one clear line for three loops")
        .singleElement()
        .asString()
        .contains("ERROR", "kuma-dp must run as the transparent proxy's exempt user");
    // mesh names still resolve there; and nothing of B's ever reached the upstream resolver
    assertThat(query(b, "backend.mesh")).isEqualTo("rcode=NOERROR answers=" + vip);
    assertThat(query(a, "backend.mesh")).isEqualTo("rcode=NOERROR answers=" + vip);
    assertThat(resolver.output().substring(resolverMark))
        .doesNotContain(B_ADDRESS)
        .doesNotContain("other.example.org")
        .doesNotContain("backend.mesh");
  }

  /** Resolves {@code name} with glibc ({@code getent ahostsv4}) in {@code ns} until it gives an address starting with {@code prefix}. */
  private static String awaitAddress(NetworkNamespace ns, String name, String prefix) {
    String[] found = new String[1];
    await(name + " resolves in " + ns).atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).until(() -> {
      CommandResult r = ns.exec(CURL, "getent", "ahostsv4", name);
      found[0] = r.stdout().isBlank() ? "" : r.stdout().strip().split("\\s+")[0];
      return r.ok() && found[0].startsWith(prefix);
    });
    return found[0];
  }

  /** The value of an unlabelled series in Prometheus text. */
  private static long sample(String metrics, String series) {
    return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToLong(l -> Long.parseLong(l.substring(series.length() + 1).strip()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in the metrics"));
  }

  /** kuma-dp's merged metrics (Envoy's and its own) from its Unix socket. */
  private String metrics(Path socket) {
    CommandResult r = a.curl(CURL, "-f", "--unix-socket", socket.toString(), "http://localhost/metrics");
    assertThat(r.exitCode()).as("metrics on " + socket + ": " + r.stderr()).isZero();
    return r.stdout();
  }

  /** One query through the namespace's resolv.conf nameserver: {@code rcode=... answers=...}. */
  private static String query(NetworkNamespace ns, String name) {
    CommandResult r = ns.runJava("io.meshlite.tests.support.DnsQueryMain", name);
    assertThat(r.exitCode()).as("DNS query for %s in %s: %s %s", name, ns, r.stdout(), r.stderr()).isZero();
    return r.stdout().strip();
  }

  private static List<String> uids(long pid) throws IOException {
    String uidLine = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
        .filter(l -> l.startsWith("Uid:"))
        .findFirst()
        .orElseThrow();
    return List.of(uidLine.substring(4).trim().split("\\s+"));
  }

  // ------------------------------------------------------------------ steps

  /** The Mesh with mTLS from the builtin CA (STRICT). */
  private static String meshWithMtls() {
    return """
        {"type":"Mesh","name":"default","mtls":{"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]}}
        """;
  }

  private static final String ALLOW_ALL = """
      {"type":"MeshTrafficPermission","mesh":"default","name":"allow-all","spec":{"targetRef":{"kind":"Mesh"},
       "from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}
      """;

  private static final String DENY_CLIENT = """
      {"type":"MeshTrafficPermission","mesh":"default","name":"deny-client","spec":{"targetRef":{"kind":"MeshService","name":"backend"},
       "from":[{"targetRef":{"kind":"MeshService","name":"client"},"default":{"action":"Deny"}}]}}
      """;

  private static String dataplaneJson(String name, String address, String service, int port) {
    return """
        {"type":"Dataplane","mesh":"default","name":"%s","networking":{"address":"%s",
         "inbound":[{"port":%d,"tags":{"kuma.io/service":"%s"}}],
         "transparentProxying":{"redirectPortInbound":15006,"redirectPortOutbound":15001,"ipFamilyMode":"IPv4"}}}
        """.formatted(name, address, port, service);
  }

  private void startControlPlaneIn(NetworkNamespace ns) {
    Map<String, String> env =
        Map.of(
            "KUMA_API_SERVER_HTTP_PORT", String.valueOf(apiPort),
            "KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1",
            "KUMA_DP_SERVER_PORT", String.valueOf(dpPort),
            "KUMA_DIAGNOSTICS_SERVER_PORT", String.valueOf(diagPort),
            "KUMA_GENERAL_WORK_DIR", work.resolve("kuma-cp").toString(),
            // Host B dials the dp-server over the veth: its address must be in the certificate.
            "KUMA_GENERAL_TLS_EXTRA_SANS", A_ADDRESS,
            // Dataplane tokens are covered by TokensIT; here only TLS is kept.
            "KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none");
    NamespacedProcess cp = track(ns.startJava("kuma-cp", logs, "io.meshlite.cp.CpMain", List.of("run"), env));
    await("kuma-cp ready").atMost(STARTUP).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!cp.alive()) {
        throw new AssertionError("kuma-cp exited: " + cp.output());
      }
      return ns.curl(CURL, "-f", "http://127.0.0.1:" + diagPort + "/ready").ok();
    });
  }

  /** PUTs a resource (JSON) through the REST API, from inside A where the API listens. */
  private void apply(String json) throws IOException {
    JsonNode r = Json.mapper().readTree(json);
    String path = switch (r.get("type").asText()) {
      case "Mesh" -> "/meshes/" + r.get("name").asText();
      case "Dataplane" -> "/meshes/" + r.get("mesh").asText() + "/dataplanes/" + r.get("name").asText();
      case "MeshTrafficPermission" ->
          "/meshes/" + r.get("mesh").asText() + "/meshtrafficpermissions/" + r.get("name").asText();
      default -> throw new IllegalArgumentException(r.get("type").asText());
    };
    Path body = Files.writeString(work.resolve("apply-" + r.get("name").asText() + ".json"), json);
    CommandResult put = a.curl(CURL, "-f", "-X", "PUT", "-H", "Content-Type: application/json",
        "--data-binary", "@" + body, "http://127.0.0.1:" + apiPort + path);
    assertThat(put.exitCode()).as("PUT " + path + ": " + put.stderr() + put.stdout()).isZero();
  }

  /** DELETEs a resource of mesh default through the REST API. */
  private void delete(String collection, String name) {
    String path = "/meshes/default/" + collection + "/" + name;
    CommandResult del = a.curl(CURL, "-f", "-X", "DELETE", "http://127.0.0.1:" + apiPort + path);
    assertThat(del.exitCode()).as("DELETE " + path + ": " + del.stderr() + del.stdout()).isZero();
  }

  private static String[] concat(String first, String... rest) {
    return Stream.concat(Stream.of(first), Stream.of(rest)).toArray(String[]::new);
  }

  private void kumaInit(NetworkNamespace ns, String... args) {
    CommandResult r = ns.runJava("io.meshlite.iptables.KumaInitMain", args);
    assertThat(r.exitCode()).as("kuma-init " + String.join(" ", args) + " in " + ns + ": " + r.stderr()).isZero();
  }

  /**
   * Starts kuma-dp and waits until Envoy is ready. As the exempt user: kuma-dp itself runs as the
   * exempt uid (started with setpriv, as a VM's service manager would start it), so its own traffic
   * and DNS queries are not redirected; otherwise kuma-dp runs as root and drops only Envoy to the
   * exempt uid ({@code --run-envoy-as}).
   */
  private NamespacedEnvoyAdmin agent(NetworkNamespace ns, String name, String cpAddress, Path workDir, boolean asExemptUser)
      throws IOException {
    int adminPort = Ports.free();
    Path caCert = work.resolve("ca-" + name + ".crt");
    Files.copy(work.resolve("kuma-cp/kuma-cp.crt"), caCert);
    Files.setPosixFilePermissions(caCert, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> args = new ArrayList<>(List.of(
        "run",
        "--cp-address", cpAddress,
        "--ca-cert-file", caCert.toString(),
        "--name", name,
        "--mesh", "default",
        "--admin-port", String.valueOf(adminPort),
        "--readiness-port", String.valueOf(Ports.free()),
        "--binary-path", EnvoyBinary.require().toString(),
        "--work-dir", workDir.toString(),
        "--concurrency", "1",
        "--envoy-log-level", "warning"));
    NamespacedProcess dp;
    if (asExemptUser) {
      Files.createDirectories(workDir);
      Files.setAttribute(workDir, "unix:uid", Integer.parseInt(EXEMPT_UID));
      Files.setAttribute(workDir, "unix:gid", Integer.parseInt(EXEMPT_UID));
      dp = track(ns.startJavaAs(EXEMPT_UID, work.resolve("lib"), "kuma-dp-" + name, logs, "io.meshlite.agent.AgentMain", args, Map.of()));
    } else {
      args.addAll(List.of("--run-envoy-as", EXEMPT_UID));
      dp = track(ns.startJava("kuma-dp-" + name, logs, "io.meshlite.agent.AgentMain", args, Map.of()));
    }
    agents.add(dp);
    NamespacedEnvoyAdmin admin = new NamespacedEnvoyAdmin(ns, adminPort);
    await(name + " Envoy ready").atMost(STARTUP).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!dp.alive()) {
        throw new AssertionError(name + " exited: " + dp.output());
      }
      return admin.ready();
    });
    return admin;
  }

  private void assertEnvoyRunsAsExemptUid() throws IOException {
    for (NamespacedProcess dp : agents) {
      ProcessHandle envoy = dp.descendant("envoy").orElseThrow(() -> new AssertionError("no Envoy under " + dp));
      String uidLine = Files.readAllLines(Path.of("/proc", String.valueOf(envoy.pid()), "status")).stream()
          .filter(l -> l.startsWith("Uid:"))
          .findFirst()
          .orElseThrow();
      assertThat(uidLine.substring(4).trim().split("\\s+")).as("Envoy's uids under " + dp).containsOnly(EXEMPT_UID);
    }
  }

  private record DnsReply(int status, String etag, String body) {}

  /** GET /dns on the dynamic configuration socket (a Unix socket: no namespace needed). */
  private DnsReply dns(Path socket) {
    NetworkNamespace.CommandResult r = curlUnix(socket, "-i");
    if (!r.ok()) {
      return new DnsReply(0, "", "");
    }
    String[] parts = r.stdout().split("\r\n\r\n", 2);
    String[] head = parts[0].split("\r\n");
    int status = Integer.parseInt(head[0].split(" ")[1]);
    String etag = Stream.of(head).filter(h -> h.toLowerCase().startsWith("etag:")).map(h -> h.substring(5).strip())
        .findFirst().orElse("");
    return new DnsReply(status, etag, parts.length > 1 ? parts[1] : "");
  }

  private int dnsIfNoneMatch(Path socket, String etag) {
    NetworkNamespace.CommandResult r = curlUnix(socket, "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag);
    return Integer.parseInt(r.stdout().strip());
  }

  private NetworkNamespace.CommandResult curlUnix(Path socket, String... extra) {
    List<String> args = new ArrayList<>(List.of("--unix-socket", socket.toString()));
    args.addAll(List.of(extra));
    args.add("http://localhost/dns");
    // Any namespace will do for a Unix socket; A is where kuma-dp polls it.
    return a.curl(CURL, args.toArray(String[]::new));
  }

  private static String sha256(String body) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
  }

  private <T extends AutoCloseable> T track(T p) {
    processes.add(p);
    return p;
  }

  /** Copies the process logs to {@code target/e2e-logs/TransparentProxyIT/} for diagnosis. */
  private void keepLogs() throws IOException {
    Path target = Path.of("target", "e2e-logs", getClass().getSimpleName());
    deleteTree(target);
    Files.createDirectories(target);
    if (Files.isDirectory(logs)) {
      try (Stream<Path> files = Files.list(logs)) {
        for (Path f : files.toList()) {
          Files.copy(f, target.resolve(f.getFileName()));
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
