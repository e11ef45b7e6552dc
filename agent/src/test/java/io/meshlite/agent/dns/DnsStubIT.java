package io.meshlite.agent.dns;

import static io.meshlite.agent.dns.FakeUpstream.Transport.TCP;
import static io.meshlite.agent.dns.FakeUpstream.Transport.UDP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The stub on real loopback sockets, against a fake upstream resolver. */
class DnsStubIT {
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;

  private final FakeClock clock = new FakeClock();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private FakeUpstream upstream;

  @BeforeEach
  void upstream() throws IOException {
    upstream = new FakeUpstream();
    toClose.add(upstream);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private DnsStubConfig.Builder config(String resolvConf) throws IOException {
    Path file = dir.resolve("resolv-" + toClose.size() + ".conf");
    Files.writeString(file, resolvConf);
    return DnsStubConfig.builder()
        .bindAddresses(List.of(InetAddress.getLoopbackAddress()))
        .port(0)
        .resolvConf(file);
  }

  private DnsStub start(DnsStubConfig config) throws IOException {
    DnsStub stub = new DnsStub(config, clock);
    toClose.add(stub);
    stub.start();
    return stub;
  }

  private DnsStub startWithUpstream() throws IOException {
    return start(config(upstream.nameserverLine()).build());
  }

  private static DnsTable meshTable() {
    return DnsTable.builder(30)
        .add("backend.mesh", "240.0.0.1", "240.0.0.2", "fd00::1")
        .add("web.mesh", "240.0.0.3")
        .build();
  }

  private static Message ask(DnsStub stub, String name, int type, boolean tcp) throws IOException {
    return ask(stub, name, type, DClass.IN, tcp);
  }

  private static Message ask(DnsStub stub, String name, int type, int dclass, boolean tcp)
      throws IOException {
    SimpleResolver r =
        new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port()));
    r.setTCP(tcp);
    r.setTimeout(CLIENT_TIMEOUT);
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, dclass)));
  }

  private static List<String> addresses(Message m) {
    return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
  }

  // ------------------------------------------------------------------------------ mesh names

  @Test
  void answersMeshNamesFromTheTableOverUdpAndTcp() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    for (boolean tcp : new boolean[] {false, true}) {
      Message a = ask(stub, "backend.mesh.", Type.A, tcp);
      assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
      assertThat(addresses(a)).containsExactly("240.0.0.1", "240.0.0.2");
      assertThat(a.getSection(Section.ANSWER))
          .allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));

      Message aaaa = ask(stub, "backend.mesh.", Type.AAAA, tcp);
      assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(addresses(aaaa)).containsExactly("fd00:0:0:0:0:0:0:1");
    }
    assertThat(upstream.seen()).isEmpty();
    assertThat(stub.counters().answeredLocal()).isEqualTo(4);
    assertThat(stub.counters().queriesByType()).containsEntry("A", 2L).containsEntry("AAAA", 2L);
  }

  @Test
  void matchesNamesIgnoringCaseAndEchoesTheQuestionAsAsked() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    Message a = ask(stub, "BackEnd.MESH.", Type.A, false);

    assertThat(addresses(a)).containsExactly("240.0.0.1", "240.0.0.2");
    assertThat(a.getQuestion().getName().toString()).isEqualTo("BackEnd.MESH.");
    assertThat(a.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("BackEnd.MESH.");
  }

  @Test
  void answersNoDataWhenTheNameHasNoAddressOfThatFamily() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    Message m = ask(stub, "web.mesh.", Type.AAAA, false);

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    assertThat(upstream.seen()).isEmpty();
  }

  @Test
  void aTableSwapIsVisibleToTheNextQuery() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());
    assertThat(addresses(ask(stub, "web.mesh.", Type.A, false))).containsExactly("240.0.0.3");

    stub.update(DnsTable.builder(5).add("web.mesh", "240.0.0.9").build());

    Message m = ask(stub, "web.mesh.", Type.A, false);
    assertThat(addresses(m)).containsExactly("240.0.0.9");
    assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);
    // a name that left the table is no longer answered locally
    ask(stub, "backend.mesh.", Type.A, false);
    assertThat(upstream.count("backend.mesh", UDP)).isEqualTo(1);
  }

  @Test
  void isReadyOnceTheFirstTableArrived() throws IOException {
    DnsStub stub = startWithUpstream();
    AtomicInteger fired = new AtomicInteger();
    stub.onReady(fired::incrementAndGet);
    assertThat(stub.ready()).isFalse();
    assertThat(fired).hasValue(0);

    stub.update(DnsTable.empty());
    stub.update(meshTable());

    assertThat(stub.ready()).isTrue();
    assertThat(fired).hasValue(1);
    stub.onReady(fired::incrementAndGet);
    assertThat(fired).hasValue(2);
  }

  // ------------------------------------------------------------------------------ forwarding

  @Test
  void forwardsOtherTypesOfMeshNamesAndOtherClasses() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    Message txt = ask(stub, "backend.mesh.", Type.TXT, false);
    ask(stub, "backend.mesh.", Type.A, DClass.CH, false);

    assertThat(txt.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(txt.getSection(Section.ANSWER))
        .singleElement()
        .extracting(Record::getType)
        .isEqualTo(Type.TXT);
    assertThat(upstream.seen())
        .extracting(FakeUpstream.Seen::type, FakeUpstream.Seen::dnsClass)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Type.TXT, DClass.IN),
            org.assertj.core.groups.Tuple.tuple(Type.A, DClass.CH));
    assertThat(stub.counters().forwarded()).isEqualTo(2);
  }

  @Test
  void cachesUpstreamAnswersForTheirTtl() throws IOException {
    DnsStub stub = startWithUpstream();

    Message first = ask(stub, "ext.example.com.", Type.A, false);
    assertThat(addresses(first)).containsExactly("192.0.2.1");
    assertThat(upstream.count("ext.example.com")).isEqualTo(1);

    clock.advance(Duration.ofSeconds(20));
    Message second = ask(stub, "EXT.example.com.", Type.A, false);
    assertThat(addresses(second)).containsExactly("192.0.2.1");
    assertThat(second.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(40);
    assertThat(second.getQuestion().getName().toString()).isEqualTo("EXT.example.com.");
    assertThat(upstream.count("ext.example.com")).isEqualTo(1);
    assertThat(stub.counters().answeredFromCache()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(41));
    ask(stub, "ext.example.com.", Type.A, false);
    assertThat(upstream.count("ext.example.com")).isEqualTo(2);
  }

  @Test
  void cachesNegativeAnswersForTheSoaMinimum() throws IOException {
    DnsStub stub = startWithUpstream();

    assertThat(ask(stub, "nx.example.com.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ask(stub, "nx.example.com.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(upstream.count("nx.example.com")).isEqualTo(1);

    clock.advance(Duration.ofSeconds(31));
    ask(stub, "nx.example.com.", Type.A, false);
    assertThat(upstream.count("nx.example.com")).isEqualTo(2);
  }

  @Test
  void retriesTruncatedAnswersOverTcp() throws IOException {
    DnsStub stub = startWithUpstream();

    // dnsjava gets TC over UDP from the stub and asks again over TCP, as any stub resolver does
    Message m = ask(stub, "big.example.com.", Type.A, false);

    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(m.getSection(Section.ANSWER)).hasSize(100);
    assertThat(upstream.count("big.example.com", TCP)).isEqualTo(1);
    assertThat(stub.counters().truncatedRetries()).isEqualTo(1);
  }

  @Test
  void triesTheNextUpstreamWhenOneDoesNotAnswer() throws IOException {
    FakeUpstream dead = new FakeUpstream();
    toClose.add(dead);
    dead.silent(true);
    DnsStub stub =
        start(
            config(dead.nameserverLine() + upstream.nameserverLine())
                .upstreamAttemptTimeout(Duration.ofMillis(100))
                .build());

    Message m = ask(stub, "failover.example.com.", Type.A, false);

    assertThat(addresses(m)).containsExactly("192.0.2.1");
    assertThat(dead.count("failover.example.com")).isGreaterThanOrEqualTo(1);
    assertThat(upstream.count("failover.example.com")).isEqualTo(1);
    assertThat(stub.counters().upstreamTimeouts()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void answersServfailWhenNoUpstreamAnswersInTime() throws IOException {
    upstream.silent(true);
    DnsStub stub =
        start(
            config(upstream.nameserverLine())
                .queryTimeout(Duration.ofMillis(300))
                .upstreamAttemptTimeout(Duration.ofMillis(100))
                .build());

    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask(stub, "slow.example.com.", Type.A, tcp);
      assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
      assertThat(m.getQuestion().getName().toString()).isEqualTo("slow.example.com.");
    }
    assertThat(stub.counters().upstreamFailures()).isEqualTo(2);
    assertThat(stub.counters().inFlight()).isZero();
    // the attempts were retransmitted to the only upstream
    assertThat(upstream.count("slow.example.com")).isGreaterThan(2);
  }

  @Test
  void neverForwardsToItself() throws IOException {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    DnsStub stub = start(config("nameserver 127.0.0.1:" + port + "\n").port(port).build());
    stub.update(meshTable());

    assertThat(stub.upstreams()).isEmpty();
    assertThat(ask(stub, "loop.example.com.", Type.A, false).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(addresses(ask(stub, "web.mesh.", Type.A, false))).containsExactly("240.0.0.3");
    assertThat(stub.counters().forwarded()).isZero();
    assertThat(stub.counters().queries()).isEqualTo(2);
  }

  @Test
  void answersServfailWhenAForwardedQueryComesBackToTheStub() throws Exception {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());
    // What iptables does when kuma-dp is not the exempt user: its query to port 53 comes back here.
    stub.forwardToUnchecked(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port())));

    String log =
        stderrOf(
            () -> {
              for (boolean tcp : new boolean[] {false, true, false}) {
                Message m = ask(stub, "loop" + tcp + ".example.com.", Type.A, tcp);
                assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
                assertThat(m.getQuestion().getName().toString()).isEqualTo("loop" + tcp + ".example.com.");
              }
            });

    assertThat(stub.counters().forwardingLoops()).isEqualTo(3);
    assertThat(stub.counters().prometheus())
        .contains("\nkuma_dp_dns_forwarding_loops_total 3\n", "kuma_dp_dns_answers_total{source=\"upstream\"} 3\n",
            "kuma_dp_dns_responses_total{rcode=\"SERVFAIL\"} 6\n", "# TYPE kuma_dp_dns_in_flight gauge\n");
    assertThat(stub.counters().forwarded()).isEqualTo(3);
    assertThat(stub.counters().inFlight()).isZero();
    assertThat(upstream.seen()).isEmpty();
    // one clear line, not one per query
    assertThat(log.lines().filter(l -> l.contains("ERROR")).toList())
        .singleElement()
        .asString()
        .contains("forwarding loop", "kuma-dp must run as the transparent proxy's exempt user");
    // mesh names are unaffected
    assertThat(addresses(ask(stub, "web.mesh.", Type.A, false))).containsExactly("240.0.0.3");
  }

  @Test
  void aClientQueryThatLooksLikeAForwardedOneIsStillForwarded() throws Exception {
    upstream.silent(true);
    DnsStub stub =
        start(
            config(upstream.nameserverLine())
                .queryTimeout(Duration.ofSeconds(5))
                .upstreamAttemptTimeout(Duration.ofSeconds(5))
                .build());
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(5000);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());
      send(s, to, query("same.example.com.", Type.A).toWire());
      await().until(() -> upstream.count("same.example.com") == 1);
      // replay the exact bytes the stub sent upstream (same id), but from a client socket
      byte[] forwarded = upstream.lastUdpQuery();
      try (DatagramSocket other = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        send(other, to, forwarded);
        await().until(() -> stub.counters().forwarded() == 2);
      }
    }
    assertThat(stub.counters().forwardingLoops()).isZero();
  }

  // ------------------------------------------------------------------------------ bad input
  @Test
  void forwardsUnknownRecordTypesAndCountsThemAsOther() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    for (int type : new int[] {65280, 4242}) {
      for (String name : List.of("backend.mesh.", "ext.example.com.")) {
        Message m = ask(stub, name, type, false);
        assertThat(m.getRcode()).as("%s type %d", name, type).isEqualTo(Rcode.NOERROR);
        assertThat(m.getQuestion().getType()).isEqualTo(type);
      }
    }
    assertThat(upstream.seen()).extracting(FakeUpstream.Seen::type).containsOnly(65280, 4242).hasSize(4);
    assertThat(stub.counters().queriesByType()).containsEntry("OTHER", 4L);
    assertThat(stub.counters().answeredLocal()).isZero();
    assertThat(addresses(ask(stub, "backend.mesh.", Type.A, false))).containsExactly("240.0.0.1", "240.0.0.2");
  }

  @Test
  void accountsForEveryPacketOfAGarbageFloodAndKeepsAnswering() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());
    java.util.Random random = new java.util.Random(6);
    int sent = 0;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());
      for (int batch = 0; batch < 10; batch++) {
        for (int i = 0; i < 200; i++) {
          byte[] junk = new byte[random.nextInt(700)];
          random.nextBytes(junk);
          send(s, to, junk);
          sent++;
        }
        // every datagram is dropped as malformed, answered NOTIMP/FORMERR, or taken as a query
        int expected = sent;
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(handled(stub.counters())).isEqualTo(expected));
      }
    }
    DnsCounters c = stub.counters();
    assertThat(c.malformedDropped()).isGreaterThan(sent / 2);
    assertThat(addresses(ask(stub, "backend.mesh.", Type.A, false))).containsExactly("240.0.0.1", "240.0.0.2");
    assertThat(addresses(ask(stub, "ext.example.com.", Type.A, true))).containsExactly("192.0.2.1");
  }

  /** Datagrams the stub has dealt with: dropped or FORMERR, NOTIMP, or accepted as a query. */
  private static long handled(DnsCounters c) {
    return c.malformedDropped() + c.responsesByRcode().getOrDefault("NOTIMP", 0L) + c.queries();
  }

  @Test
  void refusesForwardedQueriesBeyondTheInFlightLimitAndRecovers() throws IOException {
    upstream.silent(true);
    DnsStub stub =
        start(
            config(upstream.nameserverLine())
                .maxInFlight(50)
                .queryTimeout(Duration.ofSeconds(5))
                .upstreamAttemptTimeout(Duration.ofSeconds(5))
                .build());
    stub.update(meshTable());
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(10000);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());
      for (int i = 0; i < 50; i++) {
        send(s, to, query("wait" + i + ".example.com.", Type.A).toWire());
      }
      await().until(() -> stub.counters().inFlight() == 50);
      for (int i = 0; i < 100; i++) {
        send(s, to, query("over" + i + ".example.com.", Type.A).toWire());
        Message refused = receive(s);
        assertThat(refused.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(refused.getQuestion().getName().toString()).isEqualTo("over" + i + ".example.com.");
      }
      // mesh names never wait for an upstream
      assertThat(addresses(ask(stub, "web.mesh.", Type.A, false))).containsExactly("240.0.0.3");
      // the 50 waiting ones end in SERVFAIL at the query timeout
      for (int i = 0; i < 50; i++) {
        assertThat(receive(s).getRcode()).isEqualTo(Rcode.SERVFAIL);
      }
    }
    assertThat(stub.counters().overloadRejected()).isEqualTo(100);
    assertThat(stub.counters().upstreamFailures()).isEqualTo(50);
    assertThat(stub.counters().inFlight()).isZero();
    upstream.silent(false);
    assertThat(addresses(ask(stub, "after.example.com.", Type.A, false))).containsExactly("192.0.2.1");
  }


  @Test
  void dropsOrRejectsMalformedPacketsAndKeepsAnswering() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(5000);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());

      send(s, to, new byte[] {1, 2, 3, 4, 5}); // shorter than a header: dropped
      Message response = query("web.mesh.", Type.A);
      response.getHeader().setFlag(Flags.QR);
      send(s, to, response.toWire()); // a response: dropped, never answered
      await().untilAsserted(() -> assertThat(stub.counters().malformedDropped()).isEqualTo(2));

      Message two = query("web.mesh.", Type.A);
      two.addRecord(
          Record.newRecord(Name.fromString("backend.mesh."), Type.A, DClass.IN), Section.QUESTION);
      send(s, to, two.toWire());
      assertThat(receive(s).getRcode()).isEqualTo(Rcode.FORMERR);

      byte[] broken = query("web.mesh.", Type.A).toWire();
      broken[12] = 60; // the first label now runs past the end
      send(s, to, broken);
      assertThat(receive(s).getHeader().getRcode()).isEqualTo(Rcode.FORMERR);

      send(s, to, new byte[9000]); // bigger than any query; a zero header asks no question
      assertThat(receive(s).getRcode()).isEqualTo(Rcode.FORMERR);

      Message status = query("web.mesh.", Type.A);
      status.getHeader().setOpcode(Opcode.STATUS);
      send(s, to, status.toWire());
      assertThat(receive(s).getRcode()).isEqualTo(Rcode.NOTIMP);
    }
    assertThat(stub.counters().malformedDropped()).isEqualTo(5);
    assertThat(addresses(ask(stub, "web.mesh.", Type.A, false))).containsExactly("240.0.0.3");
  }

  @Test
  void closesTcpConnectionsThatSendHugeQueries() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(60000);
      out.write(new byte[8192]);
      out.flush();
      assertThat(readToEnd(s.getInputStream())).isEqualTo(-1);
    }
    await().untilAsserted(() -> assertThat(stub.counters().tcpFramesTooLarge()).isEqualTo(1));
    assertThat(addresses(ask(stub, "web.mesh.", Type.A, true))).containsExactly("240.0.0.3");
  }

  @Test
  void answersPipelinedTcpQueriesOnOneConnection() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());

    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      for (String name : List.of("web.mesh.", "ext.example.com.", "backend.mesh.")) {
        byte[] q = query(name, Type.A).toWire();
        out.writeShort(q.length);
        out.write(q);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      List<String> names = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Message m = new Message(in.readNBytes(in.readUnsignedShort()));
        names.add(m.getQuestion().getName().toString());
      }
      assertThat(names).containsExactlyInAnyOrder("web.mesh.", "ext.example.com.", "backend.mesh.");
    }
  }

  @Test
  void closesTcpConnectionsBeyondTheLimit() throws IOException {
    DnsStub stub = start(config(upstream.nameserverLine()).maxTcpConnections(2).build());

    try (Socket a = new Socket(InetAddress.getLoopbackAddress(), stub.port());
        Socket b = new Socket(InetAddress.getLoopbackAddress(), stub.port());
        Socket c = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
      c.setSoTimeout(5000);
      assertThat(readToEnd(c.getInputStream())).isEqualTo(-1);
      assertThat(a.isConnected() && b.isConnected()).isTrue();
    }
    assertThat(stub.counters().tcpConnectionsRejected()).isEqualTo(1);
  }

  @Test
  void survivesAFloodOfQueriesAndCountsThem() throws IOException {
    DnsStub stub = startWithUpstream();
    stub.update(meshTable());
    int n = 3000;
    int received = 0;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setReceiveBufferSize(4 << 20);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());
      byte[] q = query("backend.mesh.", Type.A).toWire();
      for (int i = 0; i < n; i++) {
        send(s, to, q);
      }
      s.setSoTimeout(1000);
      byte[] buf = new byte[512];
      try {
        while (received < n) {
          s.receive(new DatagramPacket(buf, buf.length));
          received++;
        }
      } catch (SocketTimeoutException e) {
        // the kernel may drop some of the burst; the stub must have answered the rest
      }
    }
    assertThat(received).isPositive();
    assertThat(stub.counters().answeredLocal())
        .isGreaterThanOrEqualTo(received)
        .isLessThanOrEqualTo(n);
    assertThat(stub.counters().responsesByRcode().get("NOERROR"))
        .isEqualTo(stub.counters().answeredLocal());
    assertThat(addresses(ask(stub, "backend.mesh.", Type.A, false)))
        .containsExactly("240.0.0.1", "240.0.0.2");
  }

  // ------------------------------------------------------------------------------ helpers

  interface Action {
    void run() throws Exception;
  }

  /** Runs {@code action} and returns what was written to System.err meanwhile (slf4j-simple's log). */
  private static String stderrOf(Action action) throws Exception {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String captured = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    original.print(captured);
    return captured;
  }

  private static Message query(String name, int type) throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(new Header().getID());
    return m;
  }

  private static void send(DatagramSocket s, InetSocketAddress to, byte[] data) throws IOException {
    s.send(new DatagramPacket(data, data.length, to));
  }

  private static Message receive(DatagramSocket s) throws IOException {
    byte[] buf = new byte[4096];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    return new Message(java.util.Arrays.copyOf(buf, p.getLength()));
  }

  /** Reads until the peer closes; -1 then (a reset counts as closed too). */
  private static int readToEnd(InputStream in) throws IOException {
    try {
      int r;
      do {
        r = in.read();
      } while (r >= 0);
      return r;
    } catch (java.net.SocketException e) {
      return -1;
    }
  }
}
