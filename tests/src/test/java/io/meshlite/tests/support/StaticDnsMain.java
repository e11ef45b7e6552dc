package io.meshlite.tests.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative DNS server for end-to-end tests, the "upstream resolver" of a host: answers
 * A queries for a fixed set of names over UDP and TCP, NOERROR without records for other types of
 * those names, NXDOMAIN for every other name. It prints one line per query, {@code query <name>
 * <type> from <address> over <udp|tcp>}, so a test can tell what reached it.
 *
 * <p>Usage: {@code StaticDnsMain <bind address> <port> <name>=<ipv4>...}
 */
public final class StaticDnsMain {
  private static final long TTL = 30;

  private StaticDnsMain() {}

  public static void main(String[] args) throws IOException {
    InetAddress bind = InetAddress.getByName(args[0]);
    int port = Integer.parseInt(args[1]);
    Map<Name, InetAddress> records = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      records.put(Name.fromString(kv[0].toLowerCase(Locale.ROOT), Name.root), InetAddress.getByName(kv[1]));
    }
    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(bind, port));
    ServerSocket tcp = new ServerSocket();
    tcp.bind(new InetSocketAddress(bind, port));
    Thread.ofPlatform().name("dns-tcp").start(() -> acceptTcp(tcp, records));
    System.out.println("serving DNS on " + bind.getHostAddress() + ":" + port + " names=" + records.keySet());
    byte[] buf = new byte[65535];
    while (true) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      udp.receive(in);
      try {
        Message query = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
        byte[] out = answer(query, records, in.getAddress(), "udp").toWire(512);
        udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
      } catch (IOException e) {
        System.out.println("unparsable packet from " + in.getAddress().getHostAddress());
      }
    }
  }

  private static void acceptTcp(ServerSocket tcp, Map<Name, InetAddress> records) {
    while (true) {
      try {
        Socket s = tcp.accept();
        Thread.ofVirtual().start(() -> serveTcp(s, records));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serveTcp(Socket s, Map<Name, InetAddress> records) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        Message query = new Message(in.readNBytes(in.readUnsignedShort()));
        byte[] reply = answer(query, records, s.getInetAddress(), "tcp").toWire();
        out.writeShort(reply.length);
        out.write(reply);
        out.flush();
      }
    } catch (IOException e) {
      // the client is done
    }
  }

  private static synchronized Message answer(
      Message query, Map<Name, InetAddress> records, InetAddress from, String transport) {
    Record question = query.getQuestion();
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    if (question == null) {
      reply.getHeader().setRcode(Rcode.FORMERR);
      return reply;
    }
    reply.addRecord(question, Section.QUESTION);
    Name name = Name.fromConstantString(question.getName().toString().toLowerCase(Locale.ROOT));
    System.out.println(
        "query " + name + " " + Type.string(question.getType()) + " from " + from.getHostAddress() + " over " + transport);
    InetAddress address = records.get(name);
    if (address == null) {
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
    } else if (question.getType() == Type.A && question.getDClass() == DClass.IN) {
      reply.addRecord(new ARecord(question.getName(), DClass.IN, TTL, address), Section.ANSWER);
    }
    return reply;
  }
}
