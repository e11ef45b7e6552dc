package io.meshlite.agent.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers queries. Every method runs on the stub's single event loop, so the scratch buffers, the
 * cache and the table of queries waiting for an upstream need no locks; only the mesh table arrives
 * from other threads, through an {@link AtomicReference}.
 *
 * <p>A query is read into a scratch array, its header and question are checked by hand, and a mesh
 * name is answered by copying the question and a pre-encoded answer section into one buffer: no
 * per-query objects besides Netty's buffer and datagram. Other names go to the cache, then to the
 * upstream resolvers over one shared non-blocking UDP socket (TCP when the answer is truncated and
 * the client asked over TCP). A timer that only runs while queries are waiting retries the next
 * upstream after {@code upstreamAttemptTimeout} and gives up with SERVFAIL at {@code queryTimeout}.
 */
final class QueryEngine {
  private static final Logger log = LoggerFactory.getLogger(QueryEngine.class);

  /** Receive size of the upstream socket; a datagram that fills it is treated as truncated. */
  static final int UPSTREAM_RECV_SIZE = 16384;

  private static final long SWEEP_MILLIS = 20;
  private static final byte[] NO_RECORDS = new byte[0];
  private static final int MAX_UPSTREAMS = 8;

  /** A forwarded query waiting for its upstream answer. */
  private static final class Pending {
    int upstreamId;
    int clientId;
    int flags;
    int qtype;
    int qclass;
    int questionEnd;
    int udpLimit;
    Channel client;
    InetSocketAddress clientAddress;
    byte[] query;
    ResponseCache.Key key;
    int upstreamIndex;
    long tried;
    long attemptDeadline;
    long deadline;
    Channel tcp;
  }

  private final DnsStubConfig config;
  private final InstantSource clock;
  private final Counters counters;
  private final AtomicReference<MeshNameIndex> index;
  private final ResponseCache cache;
  private final IntObjectHashMap<Pending> pending = new IntObjectHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final byte[] idPool = new byte[256];
  private int idPos = idPool.length;
  private final long attemptNanos;
  private final long queryNanos;

  // Scratch state of the query being parsed (event loop only).
  private final byte[] q = new byte[65536];
  private final byte[] key = new byte[Wire.MAX_NAME_LENGTH];
  private final ResponseCache.Key probe = new ResponseCache.Key(key, 0, 0, 0, 0, 0);
  private final List<Pending> expired = new ArrayList<>();
  private final List<Pending> retry = new ArrayList<>();
  private int questionEnd;
  private int keyLength;
  private int keyHash;
  private int qtype;
  private int qclass;
  private int udpLimit;
  private int keyFlags;

  private EventLoop loop;
  private Channel upstreamUdp;
  private List<InetSocketAddress> upstreams = List.of();
  private ScheduledFuture<?> sweep;
  private volatile int inFlight;
  private int tcpConnections;
  private boolean loopLogged;

  QueryEngine(
      DnsStubConfig config,
      InstantSource clock,
      Counters counters,
      AtomicReference<MeshNameIndex> index) {
    this.config = config;
    this.clock = clock;
    this.counters = counters;
    this.index = index;
    this.cache =
        new ResponseCache(
            config.cacheMaxEntries(), config.cacheMaxBytes(), config.cacheMaxTtl().toSeconds());
    this.attemptNanos = config.upstreamAttemptTimeout().toNanos();
    this.queryNanos = config.queryTimeout().toNanos();
  }

  /** Wires the engine to its loop, its upstream socket and the upstream list (at most 8 used). */
  void start(EventLoop loop, Channel upstreamUdp, List<InetSocketAddress> upstreams) {
    this.loop = loop;
    this.upstreamUdp = upstreamUdp;
    this.upstreams =
        List.copyOf(
            upstreams.size() > MAX_UPSTREAMS ? upstreams.subList(0, MAX_UPSTREAMS) : upstreams);
  }

  /**
   * Replaces the upstream list (at most 8 used); queries already waiting keep their position in
   * the old list only if it still exists, so call this before queries flow. On the loop.
   */
  void upstreams(List<InetSocketAddress> upstreams) {
    this.upstreams =
        List.copyOf(
            upstreams.size() > MAX_UPSTREAMS ? upstreams.subList(0, MAX_UPSTREAMS) : upstreams);
  }

  /** Drops the waiting queries (their clients get nothing) and stops the timer; on the loop. */
  void stop() {
    if (sweep != null) {
      sweep.cancel(false);
      sweep = null;
    }
    for (Pending p : pending.values()) {
      if (p.tcp != null) {
        p.tcp.close();
      }
    }
    pending.clear();
    inFlight = 0;
  }

  int inFlight() {
    return inFlight;
  }

  int cacheSize() {
    return cache.size();
  }

  // ---------------------------------------------------------------- client TCP connection limits

  /** Counts a new client TCP connection; false if it is one too many. */
  boolean tcpOpened() {
    tcpConnections++;
    if (tcpConnections > config.maxTcpConnections()) {
      counters.inc(Counters.TCP_REJECTED);
      return false;
    }
    return true;
  }

  void tcpClosed() {
    tcpConnections--;
  }

  // ------------------------------------------------------------------------------- client queries

  /**
   * Handles one query.
   *
   * @param sender the client for UDP, null for a query read from a TCP connection
   * @param flushNow false when the caller flushes after its read loop
   */
  void onQuery(ByteBuf in, Channel ch, InetSocketAddress sender, boolean flushNow) {
    int len = in.readableBytes();
    if (len < Wire.HEADER_LENGTH || len > q.length) {
      counters.inc(Counters.MALFORMED);
      return;
    }
    in.getBytes(in.readerIndex(), q, 0, len);
    int id = Wire.u16(q, 0);
    int flags = Wire.u16(q, 2);
    if ((flags & Wire.FLAG_QR) != 0) {
      // a response: never answer it (no ping-pong between two servers)
      counters.inc(Counters.MALFORMED);
      return;
    }
    if (!pending.isEmpty()) {
      Pending looped = pending.get(id);
      if (looped != null && isOwnForward(looped, len, sender)) {
        onLoop(looped, ch, sender, flushNow, id, flags);
        return;
      }
    }
    int opcode = (flags >>> 11) & 0xF;
    if (opcode != 0) {
      headerOnlyReply(ch, sender, flushNow, id, flags, Wire.RCODE_NOTIMP);
      return;
    }
    // What Kuma's DNS library (miekg/dns) accepts; anything else gets FORMERR.
    if ((flags & Wire.FLAG_Z) != 0
        || Wire.u16(q, 4) != 1
        || Wire.u16(q, 6) != 0
        || Wire.u16(q, 8) != 0
        || Wire.u16(q, 10) > 2
        || !parseQuestion(len)) {
      counters.inc(Counters.MALFORMED);
      headerOnlyReply(ch, sender, flushNow, id, flags, Wire.RCODE_FORMERR);
      return;
    }
    counters.query(qtype);
    int limit = sender == null ? Integer.MAX_VALUE : udpLimit;

    if (qclass == Wire.CLASS_IN && (qtype == Wire.TYPE_A || qtype == Wire.TYPE_AAAA)) {
      MeshNameIndex.Answers answers = index.get().find(key, keyLength, keyHash);
      if (answers != null) {
        counters.inc(Counters.LOCAL);
        boolean v4 = qtype == Wire.TYPE_A;
        reply(
            ch,
            sender,
            flushNow,
            q,
            questionEnd,
            id,
            flags,
            Wire.FLAG_AA,
            Wire.RCODE_NOERROR,
            v4 ? answers.a : answers.aaaa,
            v4 ? answers.aCount : answers.aaaaCount,
            limit);
        return;
      }
    }

    probe.set(keyLength, qtype, qclass, keyFlags, keyHash);
    long now = clock.millis();
    ResponseCache.Entry hit = cache.get(probe, now);
    if (hit != null) {
      counters.inc(Counters.CACHE);
      replyFromCache(ch, sender, flushNow, hit, id, flags, limit, now);
      return;
    }
    forward(ch, sender, flushNow, id, flags, len, limit);
  }

  /**
   * True if the query in {@code q} is one this stub forwarded and that came back to it: same bytes
   * as the forwarded query (whose id is random), arriving over UDP from the stub's own upstream
   * socket. That happens when iptables redirects kuma-dp's own queries to port 53 back into the
   * stub, i.e. when kuma-dp does not run as the exempt user. (Only UDP: kuma-init, as Kuma, never
   * redirects TCP port 53, and the stub only uses TCP after a real upstream answered over UDP.)
   */
  private boolean isOwnForward(Pending p, int len, InetSocketAddress sender) {
    return sender != null
        && len == p.query.length
        && Arrays.equals(q, 0, len, p.query, 0, len)
        && upstreamUdp.localAddress() instanceof InetSocketAddress own
        && own.getPort() == sender.getPort();
  }

  /**
   * A forwarded query came back: the client that asked gets SERVFAIL at once (forwarding again
   * would only loop again), the looped copy gets SERVFAIL too, and the first loop is logged.
   */
  private void onLoop(
      Pending p, Channel ch, InetSocketAddress sender, boolean flushNow, int id, int flags) {
    counters.inc(Counters.LOOPS);
    InetSocketAddress upstream = upstreams.get(p.upstreamIndex);
    if (!loopLogged) {
      loopLogged = true;
      log.error(
          "dns forwarding loop: a query forwarded to upstream {} came back to this DNS stub, so"
              + " names outside the mesh get SERVFAIL; kuma-dp must run as the transparent"
              + " proxy's exempt user (kuma-init --kuma-dp-user, uid 5678 by default) so that its"
              + " own DNS queries are not redirected to it",
          upstream);
    } else {
      log.debug("dns forwarding loop again upstream={}", upstream);
    }
    // the looped copy first, so that every count is done when the client has its answer
    headerOnlyReply(ch, sender, flushNow, id, flags, Wire.RCODE_SERVFAIL);
    fail(p, "loop");
  }

  /**
   * Checks the question and the additional section of the query in {@code q}, filling the scratch
   * fields: the lower-cased name and its hash, type, class, end of the question, the client's UDP
   * size (512 without EDNS) and the flags the cache keys on.
   */
  private boolean parseQuestion(int len) {
    int pos = Wire.HEADER_LENGTH;
    int k = 0;
    int h = Wire.HASH_SEED;
    while (true) {
      if (pos >= len) {
        return false;
      }
      int l = q[pos] & 0xFF;
      if (l == 0) {
        key[k++] = 0;
        h = Wire.hashStep(h, (byte) 0);
        pos++;
        break;
      }
      if ((l & 0xC0) != 0 || pos + 1 + l > len || k + l + 2 > Wire.MAX_NAME_LENGTH) {
        return false;
      }
      key[k++] = (byte) l;
      h = Wire.hashStep(h, (byte) l);
      for (int i = pos + 1, end = pos + 1 + l; i < end; i++) {
        byte c = Wire.lower(q[i]);
        key[k++] = c;
        h = Wire.hashStep(h, c);
      }
      pos += 1 + l;
    }
    if (pos + 4 > len) {
      return false;
    }
    qtype = Wire.u16(q, pos);
    qclass = Wire.u16(q, pos + 2);
    pos += 4;
    questionEnd = pos;
    keyLength = k;
    keyHash = h;

    int flags = Wire.u16(q, 2);
    boolean hasOpt = false;
    boolean dnssecOk = false;
    udpLimit = Wire.CLASSIC_UDP_SIZE;
    for (int i = Wire.u16(q, 10); i > 0; i--) {
      pos = Wire.skipName(q, pos, len);
      if (pos < 0 || pos + 10 > len) {
        return false;
      }
      if (Wire.u16(q, pos) == Wire.TYPE_OPT) {
        if (hasOpt) {
          return false; // RFC 6891 §6.1.1: more than one OPT is FORMERR
        }
        hasOpt = true;
        udpLimit = Math.max(Wire.CLASSIC_UDP_SIZE, Wire.u16(q, pos + 2));
        dnssecOk = (q[pos + 6] & 0x80) != 0;
      }
      pos += 10 + Wire.u16(q, pos + 8);
      if (pos > len) {
        return false;
      }
    }
    keyFlags =
        ((flags & Wire.FLAG_RD) != 0 ? 1 : 0)
            | ((flags & Wire.FLAG_CD) != 0 ? 2 : 0)
            | (hasOpt ? 4 : 0)
            | (dnssecOk ? 8 : 0);
    return true;
  }

  // --------------------------------------------------------------------------------- replies

  /** A 12-byte reply without question (what miekg/dns sends for a query it rejects). */
  private void headerOnlyReply(
      Channel ch, InetSocketAddress sender, boolean flushNow, int id, int queryFlags, int rcode) {
    ByteBuf out = ch.alloc().ioBuffer(Wire.HEADER_LENGTH + 2);
    if (sender == null) {
      out.writeShort(Wire.HEADER_LENGTH);
    }
    out.writeShort(id);
    out.writeShort(Wire.FLAG_QR | (queryFlags & (0x7800 | Wire.FLAG_RD)) | rcode);
    out.writeLong(0);
    counters.rcode(rcode);
    send(ch, sender, out, flushNow);
  }

  /**
   * A reply made of the header, the query's question (as the client spelled it) and the given
   * answer records. Over UDP, a reply larger than the client accepts is sent empty with TC set.
   */
  private void reply(
      Channel ch,
      InetSocketAddress sender,
      boolean flushNow,
      byte[] query,
      int qEnd,
      int id,
      int queryFlags,
      int extraFlags,
      int rcode,
      byte[] records,
      int count,
      int limit) {
    int questionLength = qEnd - Wire.HEADER_LENGTH;
    int size = Wire.HEADER_LENGTH + questionLength + records.length;
    int flags =
        Wire.FLAG_QR
            | Wire.FLAG_RA
            | (queryFlags & (Wire.FLAG_RD | Wire.FLAG_CD))
            | extraFlags
            | rcode;
    if (size > limit) {
      flags |= Wire.FLAG_TC;
      records = NO_RECORDS;
      count = 0;
      size = Wire.HEADER_LENGTH + questionLength;
    }
    ByteBuf out = ch.alloc().ioBuffer(size + 2);
    if (sender == null) {
      out.writeShort(size);
    }
    out.writeShort(id);
    out.writeShort(flags);
    out.writeShort(1);
    out.writeShort(count);
    out.writeInt(0);
    out.writeBytes(query, Wire.HEADER_LENGTH, questionLength);
    out.writeBytes(records);
    counters.rcode(rcode);
    send(ch, sender, out, flushNow);
  }

  private void replyFromCache(
      Channel ch,
      InetSocketAddress sender,
      boolean flushNow,
      ResponseCache.Entry hit,
      int id,
      int queryFlags,
      int limit,
      long now) {
    byte[] m = hit.message;
    if (m.length > limit) {
      reply(
          ch,
          sender,
          flushNow,
          q,
          questionEnd,
          id,
          queryFlags,
          0,
          Wire.RCODE_NOERROR,
          NO_RECORDS,
          0,
          limit);
      return;
    }
    ByteBuf out = ch.alloc().ioBuffer(m.length + 2);
    if (sender == null) {
      out.writeShort(m.length);
    }
    int base = out.writerIndex();
    out.writeBytes(m);
    out.setShort(base, id);
    int flags =
        (Wire.u16(m, 2) & ~(Wire.FLAG_RD | Wire.FLAG_CD))
            | (queryFlags & (Wire.FLAG_RD | Wire.FLAG_CD));
    out.setShort(base + 2, flags);
    // the question as this client spelled it (same length: the cache key is the lower-cased name)
    out.setBytes(base + Wire.HEADER_LENGTH, q, Wire.HEADER_LENGTH, keyLength);
    long elapsed = (now - hit.storedAtMillis) / 1000;
    int[] offsets = hit.ttlOffsets;
    for (int i = 0; i < offsets.length; i++) {
      out.setInt(base + offsets[i], (int) Math.max(0, hit.ttls[i] - elapsed));
    }
    counters.rcode(flags & 0xF);
    send(ch, sender, out, flushNow);
  }

  private static void send(Channel ch, InetSocketAddress sender, ByteBuf out, boolean flushNow) {
    if (!ch.isActive()) {
      out.release();
      return;
    }
    Object msg = sender == null ? out : new DatagramPacket(out, sender);
    if (flushNow) {
      ch.writeAndFlush(msg, ch.voidPromise());
    } else {
      ch.write(msg, ch.voidPromise());
    }
  }

  // -------------------------------------------------------------------------------- forwarding

  private void forward(
      Channel ch,
      InetSocketAddress sender,
      boolean flushNow,
      int id,
      int flags,
      int len,
      int limit) {
    if (upstreams.isEmpty()) {
      counters.inc(Counters.UPSTREAM_FAILURES);
      reply(
          ch,
          sender,
          flushNow,
          q,
          questionEnd,
          id,
          flags,
          0,
          Wire.RCODE_SERVFAIL,
          NO_RECORDS,
          0,
          limit);
      return;
    }
    if (pending.size() >= config.maxInFlight()) {
      counters.inc(Counters.OVERLOAD);
      reply(
          ch,
          sender,
          flushNow,
          q,
          questionEnd,
          id,
          flags,
          0,
          Wire.RCODE_SERVFAIL,
          NO_RECORDS,
          0,
          limit);
      return;
    }
    counters.inc(Counters.FORWARDED);
    Pending p = new Pending();
    p.upstreamId = newUpstreamId();
    p.clientId = id;
    p.flags = flags;
    p.qtype = qtype;
    p.qclass = qclass;
    p.questionEnd = questionEnd;
    p.udpLimit = limit;
    p.client = ch;
    p.clientAddress = sender;
    p.query = Arrays.copyOf(q, len);
    Wire.put16(p.query, 0, p.upstreamId);
    p.key = probe.copy();
    p.deadline = System.nanoTime() + queryNanos;
    pending.put(p.upstreamId, p);
    inFlight = pending.size();
    sendUdp(p);
    if (sweep == null) {
      sweep = loop.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private int newUpstreamId() {
    while (true) {
      if (idPos >= idPool.length) {
        random.nextBytes(idPool);
        idPos = 0;
      }
      int id = ((idPool[idPos] & 0xFF) << 8) | (idPool[idPos + 1] & 0xFF);
      idPos += 2;
      if (!pending.containsKey(id)) {
        return id;
      }
    }
  }

  private void sendUdp(Pending p) {
    p.tried |= 1L << p.upstreamIndex;
    p.attemptDeadline = System.nanoTime() + attemptNanos;
    ByteBuf b = upstreamUdp.alloc().ioBuffer(p.query.length).writeBytes(p.query);
    upstreamUdp.writeAndFlush(
        new DatagramPacket(b, upstreams.get(p.upstreamIndex)), upstreamUdp.voidPromise());
  }

  private void sweep() {
    sweep = null;
    long now = System.nanoTime();
    for (Pending p : pending.values()) {
      if (now - p.deadline >= 0) {
        expired.add(p);
      } else if (p.tcp == null && now - p.attemptDeadline >= 0) {
        retry.add(p);
      }
    }
    for (Pending p : expired) {
      counters.inc(Counters.UPSTREAM_TIMEOUTS);
      fail(p, "timeout");
    }
    for (Pending p : retry) {
      counters.inc(Counters.UPSTREAM_TIMEOUTS);
      p.upstreamIndex = (p.upstreamIndex + 1) % upstreams.size();
      sendUdp(p);
    }
    expired.clear();
    retry.clear();
    if (!pending.isEmpty()) {
      sweep = loop.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Ends a forwarded query with SERVFAIL. */
  private void fail(Pending p, String why) {
    if (pending.remove(p.upstreamId) == null) {
      return;
    }
    inFlight = pending.size();
    if (p.tcp != null) {
      p.tcp.close();
    }
    counters.inc(Counters.UPSTREAM_FAILURES);
    log.debug("dns upstream failed reason={} upstream={}", why, upstreams.get(p.upstreamIndex));
    reply(
        p.client,
        p.clientAddress,
        true,
        p.query,
        p.questionEnd,
        p.clientId,
        p.flags,
        0,
        Wire.RCODE_SERVFAIL,
        NO_RECORDS,
        0,
        p.udpLimit);
  }

  /** An answer from the shared upstream UDP socket. */
  void onUpstreamDatagram(DatagramPacket packet) {
    ByteBuf c = packet.content();
    int len = c.readableBytes();
    if (len < Wire.HEADER_LENGTH) {
      return;
    }
    Pending p = pending.get(c.getUnsignedShort(c.readerIndex()));
    if (p == null || p.tcp != null || !sentTo(p, packet.sender())) {
      return; // late, unknown or spoofed
    }
    byte[] r = new byte[len];
    c.getBytes(c.readerIndex(), r);
    if (!answersQuestion(r, p)) {
      return;
    }
    boolean cut = len >= UPSTREAM_RECV_SIZE;
    boolean truncated = cut || (Wire.u16(r, 2) & Wire.FLAG_TC) != 0;
    if (truncated && p.clientAddress == null) {
      counters.inc(Counters.TRUNCATED_RETRIES);
      startTcp(p);
    } else if (cut) {
      complete(p, null, false); // a UDP client gets TC and retries over TCP
    } else {
      complete(p, r, !truncated);
    }
  }

  private boolean sentTo(Pending p, InetSocketAddress from) {
    for (int i = 0; i < upstreams.size(); i++) {
      if ((p.tried & (1L << i)) != 0 && upstreams.get(i).equals(from)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if the answer carries the question that was asked (case-insensitively, RFC 4343), or no
   * question at all with an error rcode (some servers answer FORMERR/REFUSED that way).
   */
  private static boolean answersQuestion(byte[] r, Pending p) {
    if ((Wire.u16(r, 2) & Wire.FLAG_QR) == 0) {
      return false;
    }
    if (Wire.u16(r, 4) == 0) {
      return (Wire.u16(r, 2) & 0xF) != Wire.RCODE_NOERROR;
    }
    int end = Wire.skipName(r, Wire.HEADER_LENGTH, r.length);
    if (end < 0 || end + 4 > r.length) {
      return false;
    }
    int qEnd = p.questionEnd - 4;
    return Wire.sameName(r, Wire.HEADER_LENGTH, end, p.query, Wire.HEADER_LENGTH, qEnd)
        && Wire.u16(r, end) == p.qtype
        && Wire.u16(r, end + 2) == p.qclass;
  }

  /**
   * Sends the upstream answer to the client, caching it when allowed. A null answer (or one the UDP
   * client cannot take) becomes an empty reply with TC set.
   */
  private void complete(Pending p, byte[] r, boolean cacheable) {
    if (pending.remove(p.upstreamId) == null) {
      return;
    }
    inFlight = pending.size();
    if (p.tcp != null) {
      p.tcp.close();
    }
    if (r == null || r.length > p.udpLimit) {
      reply(
          p.client,
          p.clientAddress,
          true,
          p.query,
          p.questionEnd,
          p.clientId,
          p.flags,
          0,
          Wire.RCODE_NOERROR,
          NO_RECORDS,
          0,
          0);
      return;
    }
    if (cacheable && Wire.u16(r, 4) > 0) {
      cache.put(p.key, r, clock.millis());
    }
    if (!p.client.isActive()) {
      return;
    }
    ByteBuf out = p.client.alloc().ioBuffer(r.length + 2);
    if (p.clientAddress == null) {
      out.writeShort(r.length);
    }
    int base = out.writerIndex();
    out.writeBytes(r);
    out.setShort(base, p.clientId);
    counters.rcode(Wire.u16(r, 2) & 0xF);
    send(p.client, p.clientAddress, out, true);
  }

  // ------------------------------------------------------------------------- TCP to upstream

  private void startTcp(Pending p) {
    InetSocketAddress upstream = upstreams.get(p.upstreamIndex);
    long remainingMillis = Math.max(1, (p.deadline - System.nanoTime()) / 1_000_000);
    ChannelFuture f =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, remainingMillis))
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                        .addLast(new UpstreamTcpHandler(p));
                  }
                })
            .connect(upstream);
    p.tcp = f.channel();
    f.addListener(
        (ChannelFuture done) -> {
          if (done.isSuccess()) {
            ByteBuf b = done.channel().alloc().ioBuffer(p.query.length + 2);
            b.writeShort(p.query.length).writeBytes(p.query);
            done.channel().writeAndFlush(b, done.channel().voidPromise());
          } else {
            fail(p, "tcp connect: " + done.cause());
          }
        });
  }

  /** Reads the single answer of one TCP query to an upstream. */
  private final class UpstreamTcpHandler extends ChannelInboundHandlerAdapter {
    private final Pending p;

    UpstreamTcpHandler(Pending p) {
      this.p = p;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        int len = frame.readableBytes();
        if (len < Wire.HEADER_LENGTH
            || frame.getUnsignedShort(frame.readerIndex()) != p.upstreamId
            || pending.get(p.upstreamId) != p) {
          return;
        }
        byte[] r = new byte[len];
        frame.getBytes(frame.readerIndex(), r);
        if (answersQuestion(r, p)) {
          complete(p, r, true);
        }
      } finally {
        frame.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (pending.get(p.upstreamId) == p) {
        fail(p, "tcp connection closed before the answer");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
