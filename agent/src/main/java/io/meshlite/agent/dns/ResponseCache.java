package io.meshlite.agent.dns;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Upstream answers kept for their TTL. Confined to the stub's event loop, so it has no locks.
 *
 * <p>An entry keeps the wire bytes of the upstream answer and the offsets of its TTL fields; a hit
 * copies the bytes and lowers each TTL by the time spent in the cache, so clients never see a TTL
 * longer than what is left. Positive answers live for the smallest TTL in the answer and authority
 * sections, negative ones (NXDOMAIN, NODATA) for the SOA's {@code min(ttl, minimum)} (RFC 2308 §5);
 * a negative answer without SOA, SERVFAIL and truncated answers are not cached. The map is in
 * access order and drops the least recently used entry past the entry or byte bound.
 */
final class ResponseCache {

  /** What a cached answer is keyed by: the question and the query flags that change answers. */
  static final class Key {
    final byte[] name;
    int nameLength;
    int type;
    int dnsClass;
    int flags;
    int hash;

    Key(byte[] name, int nameLength, int type, int dnsClass, int flags, int nameHash) {
      this.name = name;
      set(nameLength, type, dnsClass, flags, nameHash);
    }

    void set(int nameLength, int type, int dnsClass, int flags, int nameHash) {
      this.nameLength = nameLength;
      this.type = type;
      this.dnsClass = dnsClass;
      this.flags = flags;
      this.hash = ((nameHash * 31 + type) * 31 + dnsClass) * 31 + flags;
    }

    Key copy() {
      return new Key(Arrays.copyOf(name, nameLength), nameLength, type, dnsClass, flags, 0)
          .withHash(hash);
    }

    private Key withHash(int h) {
      this.hash = h;
      return this;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.type == type
          && k.dnsClass == dnsClass
          && k.flags == flags
          && k.nameLength == nameLength
          && Arrays.equals(name, 0, nameLength, k.name, 0, nameLength);
    }
  }

  /** A cached answer. */
  static final class Entry {
    final byte[] message;
    final int[] ttlOffsets;
    final long[] ttls;
    final long storedAtMillis;
    final long expiresAtMillis;

    Entry(
        byte[] message, int[] ttlOffsets, long[] ttls, long storedAtMillis, long expiresAtMillis) {
      this.message = message;
      this.ttlOffsets = ttlOffsets;
      this.ttls = ttls;
      this.storedAtMillis = storedAtMillis;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private final int maxEntries;
  private final long maxBytes;
  private final long maxTtlSeconds;
  private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  private volatile int size;

  ResponseCache(int maxEntries, long maxBytes, long maxTtlSeconds) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxTtlSeconds = maxTtlSeconds;
  }

  /** Entries now; safe to read from any thread. */
  int size() {
    return size;
  }

  /** The live entry for the key, or null (an expired entry is removed). */
  Entry get(Key probe, long nowMillis) {
    if (maxEntries == 0) {
      return null;
    }
    Entry e = map.get(probe);
    if (e != null && nowMillis >= e.expiresAtMillis) {
      remove(probe);
      return null;
    }
    return e;
  }

  private void remove(Key key) {
    Entry old = map.remove(key);
    if (old != null) {
      bytes -= old.message.length;
      size = map.size();
    }
  }

  /**
   * Caches an upstream answer if the policy allows it.
   *
   * @param probe the key (copied when stored)
   * @param message the answer (kept as it is; the caller must not reuse the array)
   * @return true if it was stored
   */
  boolean put(Key probe, byte[] message, long nowMillis) {
    if (maxEntries == 0 || message.length > maxBytes) {
      return false;
    }
    long ttl;
    try {
      ttl = cacheSeconds(new Message(message));
    } catch (java.io.IOException e) {
      return false;
    }
    ttl = Math.min(ttl, maxTtlSeconds);
    if (ttl <= 0) {
      return false;
    }
    int[] offsets = ttlOffsets(message);
    if (offsets == null) {
      return false;
    }
    long[] ttls = new long[offsets.length];
    for (int i = 0; i < offsets.length; i++) {
      ttls[i] = Wire.u32(message, offsets[i]);
    }
    remove(probe);
    map.put(probe.copy(), new Entry(message, offsets, ttls, nowMillis, nowMillis + ttl * 1000));
    bytes += message.length;
    Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
    while ((map.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
      bytes -= it.next().getValue().message.length;
      it.remove();
    }
    size = map.size();
    return true;
  }

  /**
   * How long an answer may be cached, in seconds; 0 or less means not at all.
   *
   * <p>Positive: the smallest TTL in the answer and authority sections. Negative (NXDOMAIN or
   * NOERROR without answers): {@code min(SOA ttl, SOA minimum)} of the authority SOA.
   */
  static long cacheSeconds(Message m) {
    if (m.getHeader().getFlag(Flags.TC)) {
      return 0;
    }
    int rcode = m.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return 0;
    }
    if (rcode == Rcode.NOERROR && !m.getSection(Section.ANSWER).isEmpty()) {
      long min = Long.MAX_VALUE;
      for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
        for (Record r : m.getSection(section)) {
          min = Math.min(min, r.getTTL());
        }
      }
      return min;
    }
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if (r.getType() == Type.SOA) {
        SOARecord soa = (SOARecord) r;
        return Math.min(soa.getTTL(), soa.getMinimum());
      }
    }
    return 0;
  }

  /**
   * The offsets of every TTL field in a message, OPT pseudo-records excluded; null when the message
   * does not parse.
   */
  static int[] ttlOffsets(byte[] m) {
    int end = m.length;
    if (end < Wire.HEADER_LENGTH) {
      return null;
    }
    int qd = Wire.u16(m, 4);
    int rrs = Wire.u16(m, 6) + Wire.u16(m, 8) + Wire.u16(m, 10);
    int pos = Wire.HEADER_LENGTH;
    for (int i = 0; i < qd; i++) {
      pos = Wire.skipName(m, pos, end);
      if (pos < 0 || pos + 4 > end) {
        return null;
      }
      pos += 4;
    }
    int[] offsets = new int[rrs];
    int n = 0;
    for (int i = 0; i < rrs; i++) {
      pos = Wire.skipName(m, pos, end);
      if (pos < 0 || pos + 10 > end) {
        return null;
      }
      int type = Wire.u16(m, pos);
      if (type != Wire.TYPE_OPT) {
        offsets[n++] = pos + 4;
      }
      pos += 10 + Wire.u16(m, pos + 8);
      if (pos > end) {
        return null;
      }
    }
    return n == rrs ? offsets : Arrays.copyOf(offsets, n);
  }
}
