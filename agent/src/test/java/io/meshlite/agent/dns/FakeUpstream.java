package io.meshlite.agent.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A resolver for tests on a loopback port (UDP and TCP), answering with dnsjava-built messages:
 *
 * <ul>
 *   <li>{@code nx.*}: NXDOMAIN with an SOA (ttl 300, minimum 30) in the authority section;
 *   <li>{@code big.*}: 100 A records, so UDP answers are truncated (TC) unless the client allows
 *       them;
 *   <li>TXT: one TXT record; anything else: one A record 192.0.2.1 with TTL 60.
 * </ul>
 *
 * It records every question it sees and can be told to stay silent.
 */
final class FakeUpstream implements AutoCloseable {
  enum Transport {
    UDP,
    TCP
  }

  record Seen(String name, int type, int dnsClass, Transport transport) {}

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean silent;
  private volatile byte[] lastUdpQuery;

  FakeUpstream() throws IOException {
    DatagramSocket u = null;
    ServerSocket t = null;
    for (int attempt = 0; attempt < 20 && t == null; attempt++) {
      u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        t = new ServerSocket();
        t.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), u.getLocalPort()));
      } catch (IOException e) {
        u.close();
        t = null;
      }
    }
    if (t == null) {
      throw new IOException("no free loopback port for UDP and TCP");
    }
    udp = u;
    tcp = t;
    Thread.ofVirtual().name("fake-upstream-udp").start(this::serveUdp);
    Thread.ofVirtual().name("fake-upstream-tcp").start(this::acceptTcp);
  }

  int port() {
    return udp.getLocalPort();
  }

  /** The bytes of the last UDP query received, as sent. */
  byte[] lastUdpQuery() {
    return lastUdpQuery.clone();
  }

  /** The nameserver line for a resolv.conf. */
  String nameserverLine() {
    return "nameserver 127.0.0.1:" + port() + "\n";
  }

  void silent(boolean silent) {
    this.silent = silent;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  long count(String name, Transport transport) {
    String n = name.endsWith(".") ? name : name + ".";
    return seen.stream()
        .filter(s -> s.name().equalsIgnoreCase(n) && s.transport() == transport)
        .count();
  }

  long count(String name) {
    return count(name, Transport.UDP) + count(name, Transport.TCP);
  }

  private void serveUdp() {
    byte[] buf = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        udp.receive(in);
        byte[] raw = java.util.Arrays.copyOf(in.getData(), in.getLength());
        lastUdpQuery = raw;
        Message query = new Message(raw);
        record(query, Transport.UDP);
        if (silent) {
          continue;
        }
        OPTRecord opt = query.getOPT();
        int limit = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
        byte[] out = answer(query).toWire(limit);
        udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
      } catch (SocketException e) {
        return;
      } catch (IOException e) {
        // a broken query: ignore it
      }
    }
  }

  private void acceptTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket s = tcp.accept();
        connections.add(s);
        Thread.ofVirtual().name("fake-upstream-conn").start(() -> serveTcp(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serveTcp(Socket s) {
    try (s;
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
      while (true) {
        int len = in.readUnsignedShort();
        byte[] q = in.readNBytes(len);
        Message query = new Message(q);
        record(query, Transport.TCP);
        if (silent) {
          continue;
        }
        byte[] a = answer(query).toWire();
        out.writeShort(a.length);
        out.write(a);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      connections.remove(s);
    }
  }

  private void record(Message query, Transport transport) {
    Record q = query.getQuestion();
    if (q != null) {
      seen.add(new Seen(q.getName().toString(), q.getType(), q.getDClass(), transport));
    }
  }

  static Message answer(Message query) throws IOException {
    Message m = new Message(query.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      m.getHeader().setFlag(Flags.RD);
    }
    Record q = query.getQuestion();
    m.addRecord(q, Section.QUESTION);
    if (query.getOPT() != null) {
      m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    Name name = q.getName();
    String first = name.getLabelString(0).toLowerCase(java.util.Locale.ROOT);
    if (first.equals("nx")) {
      m.getHeader().setRcode(Rcode.NXDOMAIN);
      Name zone = new Name(name, 1);
      m.addRecord(
          new SOARecord(
              zone,
              DClass.IN,
              300,
              Name.fromString("ns." + zone),
              Name.fromString("admin." + zone),
              1,
              3600,
              600,
              86400,
              30),
          Section.AUTHORITY);
    } else if (first.equals("big")) {
      for (int i = 0; i < 100; i++) {
        m.addRecord(
            new ARecord(
                name,
                DClass.IN,
                60,
                InetAddress.getByAddress(
                    new byte[] {10, 1, (byte) (i / 250), (byte) (i % 250 + 1)})),
            Section.ANSWER);
      }
    } else if (q.getType() == Type.TXT) {
      m.addRecord(new TXTRecord(name, q.getDClass(), 60, "hello"), Section.ANSWER);
    } else {
      m.addRecord(
          new ARecord(
              name, DClass.IN, 60, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1})),
          Section.ANSWER);
    }
    return m;
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
    for (Socket s : connections) {
      s.close();
    }
  }
}
