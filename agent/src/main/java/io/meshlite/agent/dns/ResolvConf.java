package io.meshlite.agent.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Address;

/**
 * Reads the upstream resolvers from a resolv.conf: every {@code nameserver} line, in order. Besides
 * the standard forms ({@code 10.0.0.10}, {@code fd00::10}, {@code fe80::1%eth0}) a port may be
 * given as {@code 10.0.0.10:5353} or {@code [fd00::10]:5353}; the standard file has no port syntax,
 * so this only matters for tests and local setups. Other lines ({@code search}, {@code options},
 * comments) are ignored, as are addresses that do not parse.
 */
final class ResolvConf {
  static final int DNS_PORT = 53;

  private ResolvConf() {}

  static List<InetSocketAddress> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  static List<InetSocketAddress> parse(String content) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String raw : content.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] words = line.split("\\s+");
      if (words.length < 2 || !words[0].equals("nameserver")) {
        continue;
      }
      InetSocketAddress a = parseServer(words[1]);
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  /** Parses one nameserver value; null if it is not an IP literal with an optional port. */
  static InetSocketAddress parseServer(String value) {
    String host = value;
    int port = DNS_PORT;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = value.substring(1, close);
      String rest = value.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = parsePort(rest.substring(1));
      }
    } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
      int colon = value.indexOf(':');
      host = value.substring(0, colon);
      port = parsePort(value.substring(colon + 1));
    }
    if (port < 1) {
      return null;
    }
    InetAddress address = literal(host);
    return address == null ? null : new InetSocketAddress(address, port);
  }

  private static int parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 1 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static InetAddress literal(String host) {
    String h = host;
    int scope = h.indexOf('%');
    String zone = null;
    if (scope >= 0) {
      zone = h.substring(scope + 1);
      h = h.substring(0, scope);
    }
    int family = h.indexOf(':') >= 0 ? Address.IPv6 : Address.IPv4;
    byte[] bytes = Address.toByteArray(h, family);
    if (bytes == null) {
      return null;
    }
    try {
      // getByName on a literal never queries DNS; it keeps the zone id of link-local addresses
      return zone == null ? InetAddress.getByAddress(bytes) : InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
