package io.meshlite.agent.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.Address;

/**
 * An immutable snapshot of the mesh names the stub answers itself: name → IPv4 and IPv6 addresses,
 * plus one TTL for every answer. {@link DnsStub#update(DnsTable)} swaps a whole table at once.
 *
 * <p>Names are kept lower-case without the trailing dot; lookups ignore ASCII case and accept the
 * name with or without the trailing dot. Adding a name twice keeps the last addresses (Kuma's DNS
 * proxy does the same with a repeated record).
 */
public final class DnsTable {

  /** The addresses of one name. Both lists may be empty: the name then exists with no data. */
  public record Entry(String name, List<InetAddress> ipv4, List<InetAddress> ipv6) {
    public Entry {
      ipv4 = List.copyOf(ipv4);
      ipv6 = List.copyOf(ipv6);
    }
  }

  /** Largest TTL accepted; RFC 2181 §8 treats anything with the top bit set as zero. */
  public static final long MAX_TTL_SECONDS = 0x7FFF_FFFFL;

  private static final DnsTable EMPTY = new DnsTable(Map.of(), 0);

  private final Map<String, Entry> entries;
  private final long ttlSeconds;

  private DnsTable(Map<String, Entry> entries, long ttlSeconds) {
    this.entries = entries;
    this.ttlSeconds = ttlSeconds;
  }

  /** A table without names (everything is forwarded upstream). */
  public static DnsTable empty() {
    return EMPTY;
  }

  /** Starts a table whose answers carry {@code ttlSeconds}. */
  public static Builder builder(long ttlSeconds) {
    return new Builder(ttlSeconds);
  }

  /** The TTL of every answer from this table, in seconds. */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  public int size() {
    return entries.size();
  }

  /** The normalised names, in the order they were added. */
  public Set<String> names() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  public Collection<Entry> entries() {
    return Collections.unmodifiableCollection(entries.values());
  }

  /** Looks a name up, ignoring ASCII case and a trailing dot. */
  public Optional<Entry> lookup(String name) {
    String key;
    try {
      key = normalizeName(name);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(entries.get(key));
  }

  @Override
  public String toString() {
    return "DnsTable[names=" + entries.size() + ", ttl=" + ttlSeconds + "s]";
  }

  /**
   * Normalises a DNS name: ASCII lower case, without the trailing dot.
   *
   * @throws IllegalArgumentException if the name is empty, has an empty label, a label longer than
   *     63 bytes, more than 255 bytes in wire form, or whitespace/control characters
   */
  public static String normalizeName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("name: null (expected: a DNS name such as backend.mesh)");
    }
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (n.isEmpty()) {
      throw new IllegalArgumentException("name: '" + name + "' (expected: a non-empty DNS name)");
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c <= ' ' || c == 0x7F) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: no whitespace or control characters)");
      }
    }
    n = n.toLowerCase(Locale.ROOT);
    int wire = 1;
    for (String label : n.split("\\.", -1)) {
      int len = label.getBytes(StandardCharsets.UTF_8).length;
      if (len == 0 || len > 63) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: labels of 1 to 63 bytes)");
      }
      wire += 1 + len;
    }
    if (wire > Wire.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "name: '" + name + "' (expected: at most 255 bytes in wire form)");
    }
    return n;
  }

  /** The wire form (RFC 1035 §3.1) of a normalised name, root label included. */
  static byte[] toWire(String normalizedName) {
    byte[] text = normalizedName.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length + 2];
    int labelStart = 0;
    int o = 0;
    for (int i = 0; i <= text.length; i++) {
      if (i == text.length || text[i] == '.') {
        int len = i - labelStart;
        out[o++] = (byte) len;
        System.arraycopy(text, labelStart, out, o, len);
        o += len;
        labelStart = i + 1;
      }
    }
    out[o] = 0;
    return out;
  }

  /**
   * Parses an IP literal (never a host name) the way Kuma's DNS proxy sorts it: text with a dot is
   * an A record (an IPv4-mapped {@code ::ffff:a.b.c.d} included), text with a colon is AAAA.
   *
   * @throws IllegalArgumentException if the text is not an IP literal
   */
  static InetAddress parseIp(String text) {
    if (text == null) {
      throw new IllegalArgumentException("ip: null (expected: an IPv4 or IPv6 literal)");
    }
    String t = text.trim();
    try {
      if (t.indexOf(':') < 0) {
        byte[] v4 = Address.toByteArray(t, Address.IPv4);
        if (v4 != null) {
          return InetAddress.getByAddress(v4);
        }
      } else {
        byte[] v6 = Address.toByteArray(t, Address.IPv6);
        if (v6 != null) {
          if (t.indexOf('.') >= 0 && isV4Mapped(v6)) {
            return InetAddress.getByAddress(new byte[] {v6[12], v6[13], v6[14], v6[15]});
          }
          // Inet6Address keeps ::ffff:a.b.c.d as IPv6; InetAddress.getByAddress would not.
          return Inet6Address.getByAddress(null, v6, -1);
        }
      }
    } catch (UnknownHostException e) {
      // only thrown for a wrong byte count, which cannot happen here
    }
    throw new IllegalArgumentException(
        "ip: '" + text + "' (expected: an IPv4 or IPv6 literal such as 240.0.0.1 or fd00::1)");
  }

  private static boolean isV4Mapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xFF && v6[11] == (byte) 0xFF;
  }

  /** Collects names; not thread-safe. */
  public static final class Builder {
    private final long ttlSeconds;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private Builder(long ttlSeconds) {
      if (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
        throw new IllegalArgumentException(
            "ttl: " + ttlSeconds + " (expected: 0.." + MAX_TTL_SECONDS + " seconds)");
      }
      this.ttlSeconds = ttlSeconds;
    }

    /**
     * Adds (or replaces) a name with IP literals.
     *
     * @throws IllegalArgumentException for an invalid name or a text that is not an IP literal
     */
    public Builder add(String name, Collection<String> ips) {
      List<InetAddress> addresses = new ArrayList<>(ips.size());
      for (String ip : ips) {
        addresses.add(parseIp(ip));
      }
      return addAddresses(name, addresses);
    }

    /** Adds (or replaces) a name with IP literals. */
    public Builder add(String name, String... ips) {
      return add(name, List.of(ips));
    }

    /** Adds (or replaces) a name with addresses; IPv4-mapped {@link Inet6Address}es stay AAAA. */
    public Builder addAddresses(String name, Collection<? extends InetAddress> addresses) {
      String key = normalizeName(name);
      List<InetAddress> v4 = new ArrayList<>();
      List<InetAddress> v6 = new ArrayList<>();
      for (InetAddress a : addresses) {
        (a instanceof Inet6Address ? v6 : v4).add(a);
      }
      entries.remove(key);
      entries.put(key, new Entry(key, v4, v6));
      return this;
    }

    public DnsTable build() {
      return new DnsTable(Collections.unmodifiableMap(new LinkedHashMap<>(entries)), ttlSeconds);
    }
  }
}
