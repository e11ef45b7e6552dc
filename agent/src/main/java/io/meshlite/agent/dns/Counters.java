package io.meshlite.agent.dns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.xbill.DNS.Rcode;

/**
 * The live counters. Written on the stub's event loop, read by {@link #snapshot} from any thread;
 * an uncontended atomic add costs a few nanoseconds, far below the cost of a query.
 */
final class Counters {
  static final String[] TYPE_NAMES = {
    "A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "HTTPS", "SVCB", "ANY", "OTHER"
  };
  private static final int TYPE_OTHER = TYPE_NAMES.length - 1;

  static final int LOCAL = 0;
  static final int CACHE = 1;
  static final int FORWARDED = 2;
  static final int UPSTREAM_FAILURES = 3;
  static final int UPSTREAM_TIMEOUTS = 4;
  static final int TRUNCATED_RETRIES = 5;
  static final int MALFORMED = 6;
  static final int TCP_TOO_LARGE = 7;
  static final int TCP_REJECTED = 8;
  static final int OVERLOAD = 9;
  static final int LOOPS = 10;
  private static final int SIMPLE_COUNT = 11;

  private final AtomicLongArray types = new AtomicLongArray(TYPE_NAMES.length);
  private final AtomicLongArray rcodes = new AtomicLongArray(17);
  private final AtomicLongArray simple = new AtomicLongArray(SIMPLE_COUNT);

  void query(int qtype) {
    types.getAndIncrement(typeIndex(qtype));
  }

  void rcode(int rcode) {
    rcodes.getAndIncrement(rcode >= 0 && rcode < 16 ? rcode : 16);
  }

  void inc(int which) {
    simple.getAndIncrement(which);
  }

  long get(int which) {
    return simple.get(which);
  }

  static int typeIndex(int qtype) {
    return switch (qtype) {
      case 1 -> 0;
      case 28 -> 1;
      case 5 -> 2;
      case 15 -> 3;
      case 2 -> 4;
      case 12 -> 5;
      case 6 -> 6;
      case 33 -> 7;
      case 16 -> 8;
      case 65 -> 9;
      case 64 -> 10;
      case 255 -> 11;
      default -> TYPE_OTHER;
    };
  }

  DnsCounters snapshot(int cacheEntries, int inFlight, int tableNames) {
    Map<String, Long> byType = new LinkedHashMap<>();
    for (int i = 0; i < TYPE_NAMES.length; i++) {
      long v = types.get(i);
      if (v != 0) {
        byType.put(TYPE_NAMES[i], v);
      }
    }
    Map<String, Long> byRcode = new LinkedHashMap<>();
    for (int i = 0; i < 17; i++) {
      long v = rcodes.get(i);
      if (v != 0) {
        byRcode.put(i < 16 ? Rcode.string(i) : "OTHER", v);
      }
    }
    return new DnsCounters(
        byType,
        simple.get(LOCAL),
        simple.get(CACHE),
        simple.get(FORWARDED),
        byRcode,
        simple.get(UPSTREAM_FAILURES),
        simple.get(UPSTREAM_TIMEOUTS),
        simple.get(TRUNCATED_RETRIES),
        simple.get(MALFORMED),
        simple.get(TCP_TOO_LARGE),
        simple.get(TCP_REJECTED),
        simple.get(OVERLOAD),
        simple.get(LOOPS),
        cacheEntries,
        inFlight,
        tableNames);
  }
}
