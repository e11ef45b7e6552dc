package io.meshlite.agent.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.NoSuchFileException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kuma-dp's embedded DNS server (Kuma's DNS proxy, kuma-dp-spec §6.1): answers A and AAAA for the
 * mesh names of the current {@link DnsTable} itself and forwards everything else to the resolvers
 * of resolv.conf, with a TTL-honouring cache.
 *
 * <p>It listens on UDP and TCP on every bind address, all served by one Netty event loop thread
 * ({@code dns-stub-*}); forwarding is non-blocking on the same loop. Use: construct, {@link
 * #start()}, feed tables with {@link #update(DnsTable)}, {@link #close()}.
 *
 * <p>{@link #ready()} turns true once the stub serves and the first table has arrived; it is the
 * readiness gate of kuma-dp-spec §7.1.
 */
public final class DnsStub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsStub.class);

  private static final int CLIENT_RECV_SIZE = 2048;
  private static final int SOCKET_BUFFER_BYTES = 1 << 20;

  private final DnsStubConfig config;
  private final Counters counters = new Counters();
  private final AtomicReference<MeshNameIndex> index = new AtomicReference<>(MeshNameIndex.EMPTY);
  private final QueryEngine engine;
  private final List<Runnable> readyListeners = new CopyOnWriteArrayList<>();

  private volatile boolean serving;
  private volatile boolean hasTable;
  private boolean readyFired;
  private boolean started;
  private EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();
  private volatile int port = -1;
  private volatile List<InetSocketAddress> upstreams = List.of();

  /** A stub with the system clock. */
  public DnsStub(DnsStubConfig config) {
    this(config, InstantSource.system());
  }

  /**
   * A stub.
   *
   * @param clock drives cache expiry (tests pass a fake one); query timeouts use the event loop's
   *     own timer
   */
  public DnsStub(DnsStubConfig config, InstantSource clock) {
    this.config = config;
    this.engine = new QueryEngine(config, clock, counters, index);
  }

  /**
   * Reads the upstreams and starts serving; returns once UDP and TCP are bound on every address.
   *
   * @throws IOException if an address cannot be bound (the message says which)
   * @throws IllegalStateException if called twice
   */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("DNS stub already started");
    }
    started = true;
    List<InetSocketAddress> configured = readUpstreams();
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("dns-stub", true), NioIoHandler.newFactory());
    EventLoop loop = group.next();
    try {
      bindServers(loop);
      List<InetSocketAddress> usable = new ArrayList<>();
      for (InetSocketAddress u : configured) {
        if (isSelf(u)) {
          log.warn(
              "dns upstream skipped upstream={} reason=\"it is this stub; forwarding to it would"
                  + " loop\"",
              u);
        } else {
          usable.add(u);
        }
      }
      upstreams = List.copyOf(usable);
      if (usable.isEmpty()) {
        log.warn(
            "dns no usable upstream in {}: names outside the mesh table get SERVFAIL",
            config.resolvConf());
      }
      Channel upstreamUdp =
          new Bootstrap()
              .group(loop)
              .channel(NioDatagramChannel.class)
              .option(
                  ChannelOption.RECVBUF_ALLOCATOR,
                  new FixedRecvByteBufAllocator(QueryEngine.UPSTREAM_RECV_SIZE))
              .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
              .handler(new UpstreamUdpHandler())
              .bind(new InetSocketAddress(0))
              .sync()
              .channel();
      channels.add(upstreamUdp);
      loop.submit(() -> engine.start(loop, upstreamUdp, usable)).sync();
    } catch (Exception e) {
      shutdown();
      throw new IOException(
          "DNS stub: cannot listen on "
              + config.bindAddresses()
              + " port "
              + config.port()
              + ": "
              + e
              + " (is another process using the port? change --dns-proxy-port)",
          e);
    }
    serving = true;
    log.info(
        "dns stub listening addresses={} port={} upstreams={} queryTimeout={} cacheMaxEntries={}",
        config.bindAddresses(),
        port,
        upstreams,
        config.queryTimeout(),
        config.cacheMaxEntries());
    maybeFireReady();
  }

  private List<InetSocketAddress> readUpstreams() {
    try {
      return ResolvConf.read(config.resolvConf());
    } catch (NoSuchFileException e) {
      log.warn("dns resolv.conf not found path={}", config.resolvConf());
    } catch (IOException e) {
      log.warn("dns resolv.conf unreadable path={} error={}", config.resolvConf(), e.toString());
    }
    return List.of();
  }

  private void bindServers(EventLoop loop) throws Exception {
    int attempts = config.port() == 0 ? 10 : 1;
    for (int attempt = 1; ; attempt++) {
      try {
        int p = config.port();
        for (InetAddress address : config.bindAddresses()) {
          Channel udp = bindUdp(loop, new InetSocketAddress(address, p));
          channels.add(udp);
          if (p == 0) {
            p = ((InetSocketAddress) udp.localAddress()).getPort();
          }
          channels.add(bindTcp(loop, new InetSocketAddress(address, p)));
        }
        port = p;
        return;
      } catch (Exception e) {
        closeChannels();
        if (attempt >= attempts) {
          throw e;
        }
      }
    }
  }

  private Channel bindUdp(EventLoop loop, InetSocketAddress at) throws InterruptedException {
    return new Bootstrap()
        .group(loop)
        .channel(NioDatagramChannel.class)
        .option(
            ChannelOption.RECVBUF_ALLOCATOR,
            new FixedRecvByteBufAllocator(CLIENT_RECV_SIZE).maxMessagesPerRead(64))
        .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
        .handler(new ClientUdpHandler())
        .bind(at)
        .sync()
        .channel();
  }

  private Channel bindTcp(EventLoop loop, InetSocketAddress at) throws InterruptedException {
    return new ServerBootstrap()
        .group(loop)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 128)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new IdleStateHandler(
                            0, 0, config.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                    .addLast(
                        new LengthFieldBasedFrameDecoder(
                            config.maxTcpQueryBytes(), 0, 2, 0, 2, true))
                    .addLast(new ClientTcpHandler());
              }
            })
        .bind(at)
        .sync()
        .channel();
  }

  /** True if sending to {@code u} would reach this stub. */
  private boolean isSelf(InetSocketAddress u) {
    if (u.getPort() != port) {
      return false;
    }
    InetAddress a = u.getAddress();
    for (InetAddress bind : config.bindAddresses()) {
      if (bind.equals(a)) {
        return true;
      }
      if (bind.isAnyLocalAddress() && isLocal(a)) {
        return true;
      }
    }
    return a.isAnyLocalAddress();
  }

  private static boolean isLocal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  /** Stops serving and releases the thread and sockets; idempotent. */
  public synchronized void stop() {
    if (!started || group == null) {
      return;
    }
    serving = false;
    shutdown();
    log.info("dns stub stopped");
  }

  private void shutdown() {
    EventLoopGroup g = group;
    group = null;
    closeChannels();
    if (g != null) {
      g.submit(engine::stop).awaitUninterruptibly(2, TimeUnit.SECONDS);
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private void closeChannels() {
    for (Channel c : channels) {
      c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    channels.clear();
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Replaces the mesh table; the next query sees the new one. Thread-safe and cheap for the event
   * loop: the table is compiled on the caller's thread.
   */
  public void update(DnsTable table) {
    MeshNameIndex compiled = MeshNameIndex.compile(table);
    MeshNameIndex previous = index.getAndSet(compiled);
    if (!hasTable) {
      hasTable = true;
      log.info("dns table loaded names={} ttl={}s", table.size(), table.ttlSeconds());
      maybeFireReady();
    } else if (log.isDebugEnabled()) {
      log.debug(
          "dns table updated names={} previous={} ttl={}s",
          table.size(),
          previous.table.size(),
          table.ttlSeconds());
    }
  }

  /** The current table (empty before the first {@link #update}). */
  public DnsTable table() {
    return index.get().table;
  }

  /** True once the stub serves and a first table has arrived (kuma-dp's DNS readiness gate). */
  public boolean ready() {
    return serving && hasTable;
  }

  /** True between a successful {@link #start()} and {@link #stop()}. */
  public boolean serving() {
    return serving;
  }

  /**
   * Runs {@code listener} once when {@link #ready()} first turns true (at once, on this thread, if
   * it already is); otherwise on the thread of the {@link #start()} or {@link #update} that made it
   * ready.
   */
  public void onReady(Runnable listener) {
    synchronized (readyListeners) {
      if (!readyFired) {
        readyListeners.add(listener);
        return;
      }
    }
    listener.run();
  }

  private void maybeFireReady() {
    List<Runnable> toRun;
    synchronized (readyListeners) {
      if (readyFired || !ready()) {
        return;
      }
      readyFired = true;
      toRun = List.copyOf(readyListeners);
      readyListeners.clear();
    }
    for (Runnable r : toRun) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("dns ready listener failed", e);
      }
    }
  }

  /**
   * Test seam: forwards to exactly {@code to} from now on, without dropping an address that is this
   * stub (which {@link #start()} does), so that tests can make forwarded queries come back.
   */
  void forwardToUnchecked(List<InetSocketAddress> to) throws InterruptedException {
    EventLoopGroup g = group;
    if (g == null) {
      throw new IllegalStateException("DNS stub not started");
    }
    g.submit(() -> engine.upstreams(to)).sync();
    upstreams = List.copyOf(to);
  }

  /** A snapshot of the counters. */
  public DnsCounters counters() {
    return counters.snapshot(engine.cacheSize(), engine.inFlight(), index.get().table.size());
  }

  /** The bound port (useful with port 0), or -1 before {@link #start()}. */
  public int port() {
    return port;
  }

  /** The upstream resolvers in use, after dropping any that point back at this stub. */
  public List<InetSocketAddress> upstreams() {
    return upstreams;
  }

  public DnsStubConfig config() {
    return config;
  }

  // ------------------------------------------------------------------------------ handlers

  private final class ClientUdpHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        engine.onQuery(packet.content(), ctx.channel(), packet.sender(), false);
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("dns udp error: {}", cause.toString());
    }
  }

  private final class ClientTcpHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (!engine.tcpOpened()) {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      engine.tcpClosed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        engine.onQuery(frame, ctx.channel(), null, false);
      } finally {
        frame.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // a client that does not read its answers stops being read from
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof TooLongFrameException) {
        counters.inc(Counters.TCP_TOO_LARGE);
      } else {
        log.debug("dns tcp client error: {}", cause.toString());
      }
      ctx.close();
    }
  }

  private final class UpstreamUdpHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        engine.onUpstreamDatagram(packet);
      } finally {
        packet.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("dns upstream udp error: {}", cause.toString());
    }
  }
}
