package io.meshlite.cp.vip;

import java.util.Objects;

/**
 * An IPv4 network such as Kuma's VIP range {@code 240.0.0.0/4}, with addresses as unsigned ints.
 *
 * @param network the network address (host bits zero)
 * @param prefix the prefix length, 0 to 32
 */
public record Ipv4Cidr(long network, int prefix) {
  public Ipv4Cidr {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix " + prefix + " is not in 0-32");
    }
    if ((network & ~mask(prefix) & 0xFFFF_FFFFL) != 0) {
      throw new IllegalArgumentException(format(network) + "/" + prefix + " has host bits set");
    }
  }

  /**
   * Parses {@code a.b.c.d/n}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Ipv4Cidr parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR (expected: a.b.c.d/n, e.g. 240.0.0.0/4)");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" has no valid prefix length (expected: 0-32)");
    }
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("\"" + text + "\" has no valid prefix length (expected: 0-32)");
    }
    long address = parseAddress(text.substring(0, slash));
    return new Ipv4Cidr(address & mask(prefix), prefix);
  }

  /**
   * Parses a dotted IPv4 address into an unsigned int.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static long parseAddress(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  /** Dotted form of an unsigned int address. */
  public static String format(long address) {
    return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "." + (address & 0xFF);
  }

  /**
   * The IPv4-mapped IPv6 form Kuma adds for dual-stack proxies, e.g. {@code 240.0.0.1} →
   * {@code ::ffff:f000:1}.
   */
  public static String toMappedIpv6(String ipv4) {
    long a = parseAddress(ipv4);
    return "::ffff:" + Long.toHexString((a >> 16) & 0xFFFF) + ":" + Long.toHexString(a & 0xFFFF);
  }

  /** The first address of the network. */
  public long first() {
    return network;
  }

  /** The last address of the network. */
  public long last() {
    return network | (~mask(prefix) & 0xFFFF_FFFFL);
  }

  /** Whether the address lies in this network. */
  public boolean contains(long address) {
    return (address & mask(prefix)) == network;
  }

  /** Whether the dotted address lies in this network; false for anything that is not IPv4. */
  public boolean contains(String address) {
    try {
      return contains(parseAddress(address));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static long mask(int prefix) {
    return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
  }

  @Override
  public String toString() {
    return format(network) + "/" + prefix;
  }
}
