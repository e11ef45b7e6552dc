package io.meshlite.agent.dns;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link DnsTable} compiled for the query path: an open-addressing hash over lower-cased wire
 * names whose values are ready-made answer sections. Looking a name up allocates nothing; the
 * answer records point at the question name (offset 12), so the reply echoes the client's spelling.
 */
final class MeshNameIndex {

  /** Pre-encoded answer records of one name. */
  static final class Answers {
    final byte[] a;
    final int aCount;
    final byte[] aaaa;
    final int aaaaCount;

    Answers(byte[] a, int aCount, byte[] aaaa, int aaaaCount) {
      this.a = a;
      this.aCount = aCount;
      this.aaaa = aaaa;
      this.aaaaCount = aaaaCount;
    }
  }

  static final MeshNameIndex EMPTY = compile(DnsTable.empty());

  final DnsTable table;
  private final int mask;
  private final int[] hashes;
  private final byte[][] names;
  private final Answers[] answers;

  private MeshNameIndex(DnsTable table, int capacity) {
    this.table = table;
    this.mask = capacity - 1;
    this.hashes = new int[capacity];
    this.names = new byte[capacity][];
    this.answers = new Answers[capacity];
  }

  static MeshNameIndex compile(DnsTable table) {
    int capacity = 8;
    while (capacity < table.size() * 2) {
      capacity <<= 1;
    }
    MeshNameIndex index = new MeshNameIndex(table, capacity);
    long ttl = table.ttlSeconds();
    for (DnsTable.Entry e : table.entries()) {
      byte[] wire = DnsTable.toWire(e.name());
      int h = Wire.HASH_SEED;
      for (byte b : wire) {
        h = Wire.hashStep(h, b);
      }
      Answers ans =
          new Answers(
              encode(e.ipv4(), Wire.TYPE_A, ttl),
              e.ipv4().size(),
              encode(e.ipv6(), Wire.TYPE_AAAA, ttl),
              e.ipv6().size());
      int slot = h & index.mask;
      while (index.names[slot] != null) {
        slot = (slot + 1) & index.mask;
      }
      index.hashes[slot] = h;
      index.names[slot] = wire;
      index.answers[slot] = ans;
    }
    return index;
  }

  private static byte[] encode(List<InetAddress> addresses, int type, long ttl) {
    int total = 0;
    for (InetAddress a : addresses) {
      total += 12 + a.getAddress().length;
    }
    byte[] out = new byte[total];
    int o = 0;
    for (InetAddress a : addresses) {
      byte[] ip = a.getAddress();
      out[o] = (byte) 0xC0;
      out[o + 1] = (byte) Wire.HEADER_LENGTH;
      Wire.put16(out, o + 2, type);
      Wire.put16(out, o + 4, Wire.CLASS_IN);
      Wire.put32(out, o + 6, ttl);
      Wire.put16(out, o + 10, ip.length);
      System.arraycopy(ip, 0, out, o + 12, ip.length);
      o += 12 + ip.length;
    }
    return out;
  }

  /**
   * Finds a name.
   *
   * @param key the lower-cased wire name in {@code key[0..len)}
   * @param hash {@link Wire#hashStep} folded over those bytes from {@link Wire#HASH_SEED}
   */
  Answers find(byte[] key, int len, int hash) {
    int slot = hash & mask;
    while (true) {
      byte[] name = names[slot];
      if (name == null) {
        return null;
      }
      if (hashes[slot] == hash && name.length == len && Arrays.equals(name, 0, len, key, 0, len)) {
        return answers[slot];
      }
      slot = (slot + 1) & mask;
    }
  }
}
