package io.meshlite.iptables.config;

import io.meshlite.iptables.rules.PortExclusion;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parsers for the exclusion syntaxes of {@code kumactl install transparent-proxy}. Each throws
 * {@link IllegalArgumentException} whose message says what is wrong and what is expected.
 */
public final class Exclusions {
  private static final Pattern NUMBER = Pattern.compile("\\d{1,10}");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");
  private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}\\+?");

  private Exclusions() {}

  /** A port 1-65535. */
  public static int port(String text) {
    String value = text.strip();
    if (NUMBER.matcher(value).matches()) {
      long port = Long.parseLong(value);
      if (port >= 1 && port <= 65535) {
        return (int) port;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not a valid port (expected: 1-65535)");
  }

  /** A comma-separated port list; empty items are ignored. */
  public static List<Integer> ports(String text) {
    List<Integer> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(port(part));
      }
    }
    return out;
  }

  /**
   * One {@code --exclude-outbound-ports-for-uids} entry: {@code [protocol:][ports:]uids}, e.g.
   * {@code 53,3000-5000:106-108}, {@code tcp:*:0}, {@code 123}. Ports {@code *} or empty mean
   * 1-65535, protocol {@code *} means tcp and udp (also {@code tcp,udp}); the UID is one value
   * or a range, never {@code *} and never a list. Returns one exclusion per protocol.
   */
  public static List<PortExclusion> uidExclusion(String entry) {
    String[] parts = entry.strip().split(":", -1);
    String expected = " (expected: [protocol:][ports:]uids, e.g. tcp:53,3000-5000:106-108)";
    if (entry.isBlank() || parts.length > 3) {
      throw new IllegalArgumentException("'" + entry + "' is not a valid exclusion" + expected);
    }
    String protocols = parts.length == 3 ? parts[0].strip() : "*";
    String ports = parts.length >= 2 ? parts[parts.length - 2].strip() : "*";
    String uids = parts[parts.length - 1].strip();
    if (uids.equals("*") || uids.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + entry + "': the UID must be a number or a range, not '" + uids + "'" + expected);
    }
    if (uids.contains(",")) {
      throw new IllegalArgumentException(
          "'" + entry + "': the UID must be one value or a range, not a list" + expected);
    }
    rangeOrValue(uids, 0xFFFFFFFEL, "UID", entry);
    if (ports.equals("*") || ports.isEmpty()) {
      ports = "1-65535";
    }
    for (String item : ports.split(",", -1)) {
      rangeOrValue(item.strip(), 65535, "port", entry);
    }
    List<String> protocolList = new ArrayList<>();
    if (protocols.equals("*") || protocols.isEmpty()) {
      protocolList.addAll(List.of("tcp", "udp"));
    } else {
      for (String protocol : protocols.split(",")) {
        String p = protocol.strip().toLowerCase(java.util.Locale.ROOT);
        if (!p.equals("tcp") && !p.equals("udp")) {
          throw new IllegalArgumentException(
              "'" + entry + "': unsupported protocol '" + protocol + "' (expected: tcp, udp or *)");
        }
        if (!protocolList.contains(p)) {
          protocolList.add(p);
        }
      }
    }
    String multiport = ports.replace(" ", "").replace('-', ':');
    List<PortExclusion> out = new ArrayList<>();
    for (String protocol : protocolList) {
      out.add(new PortExclusion(protocol, multiport, uids));
    }
    return out;
  }

  /** An IPv4/IPv6 address or CIDR; returned unchanged. */
  public static String ipOrCidr(String text) {
    String value = text.strip();
    String expected =
        " (expected: <ip> or <ip>/<prefix>, e.g. 10.0.0.1, 172.16.0.0/16, fe80::1, fe80::/10)";
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    boolean v6 = address.indexOf(':') >= 0;
    if (!validAddress(address, v6)) {
      throw new IllegalArgumentException("'" + text + "' is not a valid IP address" + expected);
    }
    if (slash >= 0) {
      String prefix = value.substring(slash + 1);
      int max = v6 ? 128 : 32;
      if (!NUMBER.matcher(prefix).matches() || Long.parseLong(prefix) > max) {
        throw new IllegalArgumentException(
            "'" + text + "' has an invalid prefix length (expected: 0-" + max + ")");
      }
    }
    return value;
  }

  /** A comma-separated list of IPs/CIDRs. */
  public static List<String> ips(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("an IP exclusion must not be empty");
    }
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      out.add(ipOrCidr(part));
    }
    return out;
  }

  /** One {@code --vnet iface:CIDR}; the interface may end with {@code +} as a wildcard. */
  public static TransparentProxyConfig.VirtualNetwork virtualNetwork(String text) {
    int colon = text.indexOf(':');
    String expected = " (expected: iface:CIDR, e.g. docker0:172.17.0.0/16 or br+:172.18.0.0/16)";
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not a virtual network" + expected);
    }
    String iface = text.substring(0, colon).strip();
    String cidr = text.substring(colon + 1).strip();
    if (!IFACE.matcher(iface).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "': invalid interface name '" + iface + "'" + expected);
    }
    if (!cidr.contains("/")) {
      throw new IllegalArgumentException("'" + text + "': '" + cidr + "' is not a CIDR" + expected);
    }
    try {
      ipOrCidr(cidr);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
    }
    return new TransparentProxyConfig.VirtualNetwork(iface, cidr);
  }

  private static void rangeOrValue(String text, long max, String what, String entry) {
    String[] bounds = text.split("-", -1);
    String problem = null;
    if (bounds.length > 2) {
      problem = "'" + text + "' is not a " + what + " or a range";
    } else {
      long previous = -1;
      for (String bound : bounds) {
        if (!NUMBER.matcher(bound).matches()) {
          problem = "'" + text + "' is not a " + what + " or a range";
          break;
        }
        long value = Long.parseLong(bound);
        if (value > max || (what.equals("port") && value == 0)) {
          problem = "'" + bound + "' is out of range for a " + what;
          break;
        }
        if (value < previous) {
          problem = "range '" + text + "' is reversed";
          break;
        }
        previous = value;
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          "'" + entry + "': " + problem + " (expected: [protocol:][ports:]uids)");
    }
  }

  private static boolean validAddress(String address, boolean v6) {
    if (!v6) {
      return IPV4.matcher(address).matches();
    }
    if (!IPV6_CHARS.matcher(address).matches() || address.length() > 45) {
      return false;
    }
    try {
      // The literal contains ':' and only address characters, so this never resolves a name.
      return InetAddress.getByName(address).getAddress().length == 16;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
