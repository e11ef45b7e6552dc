package io.meshlite.agent.dns;

/**
 * Small readers and writers for DNS wire format (RFC 1035 §4) over plain byte arrays. The query hot
 * path uses these instead of dnsjava's {@code Message} so that answering a mesh name does not
 * allocate a parsed message per query.
 */
final class Wire {
  static final int HEADER_LENGTH = 12;

  static final int FLAG_QR = 0x8000;
  static final int FLAG_AA = 0x0400;
  static final int FLAG_TC = 0x0200;
  static final int FLAG_RD = 0x0100;
  static final int FLAG_RA = 0x0080;
  static final int FLAG_Z = 0x0040;
  static final int FLAG_AD = 0x0020;
  static final int FLAG_CD = 0x0010;

  static final int TYPE_A = 1;
  static final int TYPE_SOA = 6;
  static final int TYPE_AAAA = 28;
  static final int TYPE_OPT = 41;
  static final int CLASS_IN = 1;

  static final int RCODE_NOERROR = 0;
  static final int RCODE_FORMERR = 1;
  static final int RCODE_SERVFAIL = 2;
  static final int RCODE_NXDOMAIN = 3;
  static final int RCODE_NOTIMP = 4;

  /** The smallest UDP payload every DNS client accepts (RFC 1035 §2.3.4). */
  static final int CLASSIC_UDP_SIZE = 512;

  /** Longest name in wire form, length bytes and the root label included (RFC 1035 §3.1). */
  static final int MAX_NAME_LENGTH = 255;

  private Wire() {}

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
  }

  static long u32(byte[] b, int off) {
    return ((long) (b[off] & 0xFF) << 24)
        | ((b[off + 1] & 0xFF) << 16)
        | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  static void put32(byte[] b, int off, long v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }

  /**
   * Skips a possibly compressed name.
   *
   * @return the offset just after the name, or -1 when it runs past {@code end} or uses a reserved
   *     label type
   */
  static int skipName(byte[] b, int off, int end) {
    int pos = off;
    while (pos < end) {
      int len = b[pos] & 0xFF;
      if (len == 0) {
        return pos + 1;
      }
      int kind = len & 0xC0;
      if (kind == 0xC0) {
        return pos + 2 <= end ? pos + 2 : -1;
      }
      if (kind != 0) {
        return -1;
      }
      pos += 1 + len;
    }
    return -1;
  }

  /**
   * Compares two uncompressed names in wire form, ignoring ASCII case.
   *
   * @return true if the name at {@code a[aOff]} equals the one at {@code b[bOff]}; a compression
   *     pointer in either makes them unequal
   */
  static boolean sameName(byte[] a, int aOff, int aEnd, byte[] b, int bOff, int bEnd) {
    int i = aOff;
    int j = bOff;
    while (i < aEnd && j < bEnd) {
      int len = a[i] & 0xFF;
      if (len != (b[j] & 0xFF) || (len & 0xC0) != 0) {
        return false;
      }
      if (len == 0) {
        return true;
      }
      if (i + 1 + len > aEnd || j + 1 + len > bEnd) {
        return false;
      }
      for (int k = 1; k <= len; k++) {
        if (lower(a[i + k]) != lower(b[j + k])) {
          return false;
        }
      }
      i += 1 + len;
      j += 1 + len;
    }
    return false;
  }

  /** The hash of a lower-cased wire name, as {@link MeshNameIndex} and the query parser use it. */
  static int hashStep(int h, byte lowered) {
    return (h ^ (lowered & 0xFF)) * 0x01000193;
  }

  static final int HASH_SEED = 0x811C9DC5;
}
