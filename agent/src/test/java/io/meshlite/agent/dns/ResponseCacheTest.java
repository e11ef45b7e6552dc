package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ResponseCacheTest {

  private static Message answer(String name, int rcode) throws IOException {
    Message m = new Message(1234);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    m.addRecord(Record.newRecord(Name.fromString(name), Type.A, DClass.IN), Section.QUESTION);
    return m;
  }

  private static ARecord a(String name, long ttl) throws IOException {
    return new ARecord(Name.fromString(name), DClass.IN, ttl, InetAddress.getByName("192.0.2.1"));
  }

  private static SOARecord soa(long ttl, long minimum) throws IOException {
    Name zone = Name.fromString("example.com.");
    return new SOARecord(
        zone,
        DClass.IN,
        ttl,
        Name.fromString("ns.example.com."),
        Name.fromString("admin.example.com."),
        1,
        3600,
        600,
        86400,
        minimum);
  }

  @Test
  void positiveAnswersLiveForTheSmallestTtl() throws IOException {
    Message m = answer("www.example.com.", Rcode.NOERROR);
    m.addRecord(
        new CNAMERecord(
            Name.fromString("www.example.com."),
            DClass.IN,
            300,
            Name.fromString("cdn.example.com.")),
        Section.ANSWER);
    m.addRecord(a("cdn.example.com.", 20), Section.ANSWER);
    assertThat(ResponseCache.cacheSeconds(m)).isEqualTo(20);
  }

  @Test
  void negativeAnswersLiveForTheSoaMinimumOrTtl() throws IOException {
    Message nx = answer("nx.example.com.", Rcode.NXDOMAIN);
    nx.addRecord(soa(300, 30), Section.AUTHORITY);
    assertThat(ResponseCache.cacheSeconds(nx)).isEqualTo(30);

    Message nodata = answer("www.example.com.", Rcode.NOERROR);
    nodata.addRecord(soa(10, 60), Section.AUTHORITY);
    assertThat(ResponseCache.cacheSeconds(nodata)).isEqualTo(10);

    assertThat(ResponseCache.cacheSeconds(answer("nx.example.com.", Rcode.NXDOMAIN))).isZero();
  }

  @Test
  void failuresAndTruncatedAnswersAreNotCached() throws IOException {
    Message servfail = answer("x.example.com.", Rcode.SERVFAIL);
    assertThat(ResponseCache.cacheSeconds(servfail)).isZero();
    Message tc = answer("x.example.com.", Rcode.NOERROR);
    tc.addRecord(a("x.example.com.", 60), Section.ANSWER);
    tc.getHeader().setFlag(Flags.TC);
    assertThat(ResponseCache.cacheSeconds(tc)).isZero();
  }

  @Test
  void findsEveryTtlFieldButTheOptOne() throws IOException {
    Message m = answer("x.example.com.", Rcode.NOERROR);
    m.addRecord(a("x.example.com.", 61), Section.ANSWER);
    m.addRecord(a("x.example.com.", 62), Section.ANSWER);
    m.addRecord(soa(63, 5), Section.AUTHORITY);
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] wire = m.toWire();

    int[] offsets = ResponseCache.ttlOffsets(wire);

    assertThat(offsets).hasSize(3);
    assertThat(java.util.Arrays.stream(offsets).mapToLong(o -> Wire.u32(wire, o)))
        .containsExactly(61L, 62L, 63L);
    assertThat(ResponseCache.ttlOffsets(java.util.Arrays.copyOf(wire, wire.length - 3))).isNull();
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondTheEntryBound() throws IOException {
    ResponseCache cache = new ResponseCache(2, 1 << 20, 3600);
    ResponseCache.Key ka = key("a.example.com.");
    ResponseCache.Key kb = key("b.example.com.");
    ResponseCache.Key kc = key("c.example.com.");
    assertThat(cache.put(ka, positive("a.example.com."), 0)).isTrue();
    assertThat(cache.put(kb, positive("b.example.com."), 0)).isTrue();
    assertThat(cache.get(ka, 1)).isNotNull(); // a is now the most recently used
    assertThat(cache.put(kc, positive("c.example.com."), 0)).isTrue();

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get(kb, 1)).isNull();
    assertThat(cache.get(ka, 1)).isNotNull();
    assertThat(cache.get(kc, 1)).isNotNull();
  }

  @Test
  void staysUnderTheByteBoundAndDropsExpiredEntries() throws IOException {
    byte[] one = positive("a.example.com.");
    ResponseCache cache = new ResponseCache(100, one.length * 2L, 3600);
    for (String n : new String[] {"a", "b", "c", "d"}) {
      cache.put(key(n + ".example.com."), positive(n + ".example.com."), 0);
    }
    assertThat(cache.size()).isEqualTo(2);

    assertThat(cache.get(key("d.example.com."), 59_999)).isNotNull();
    assertThat(cache.get(key("d.example.com."), 60_000)).isNull();
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void capsTheTtlAndHonoursAZeroEntryBound() throws IOException {
    ResponseCache capped = new ResponseCache(10, 1 << 20, 5);
    capped.put(key("a.example.com."), positive("a.example.com."), 0);
    assertThat(capped.get(key("a.example.com."), 5_000)).isNull();

    ResponseCache off = new ResponseCache(0, 1 << 20, 3600);
    assertThat(off.put(key("a.example.com."), positive("a.example.com."), 0)).isFalse();
  }

  private static byte[] positive(String name) throws IOException {
    Message m = answer(name, Rcode.NOERROR);
    m.addRecord(a(name, 60), Section.ANSWER);
    return m.toWire();
  }

  private static ResponseCache.Key key(String name) throws IOException {
    byte[] wire = Name.fromString(name).toWireCanonical();
    int h = Wire.HASH_SEED;
    for (byte b : wire) {
      h = Wire.hashStep(h, b);
    }
    return new ResponseCache.Key(wire, wire.length, Type.A, DClass.IN, 1, h);
  }
}
