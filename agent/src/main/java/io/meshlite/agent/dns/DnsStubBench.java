package io.meshlite.agent.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs pieces of the DNS benchmark ({@code scripts/bench-dns.sh}); not part of kuma-dp's CLI.
 *
 * <ul>
 *   <li>{@code stub <port> <upstream-port> <services>}: a {@link DnsStub} on 127.0.0.1:port whose
 *       mesh table holds {@code svc-0.mesh .. svc-<services-1>.mesh} and whose only upstream is
 *       127.0.0.1:upstream-port;
 *   <li>{@code upstream <port>}: a trivial resolver on 127.0.0.1:port that answers every query with
 *       one A record (192.0.2.1, TTL 300), built the same way (one Netty event loop), as the
 *       baseline.
 * </ul>
 *
 * Each prints {@code ready pid=<pid> port=<port>} once it serves and runs until killed.
 */
public final class DnsStubBench {

  private DnsStubBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("stub")) {
      runStub(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } else if (args.length == 2 && args[0].equals("upstream")) {
      runUpstream(Integer.parseInt(args[1]));
    } else {
      System.err.println(
          "usage: DnsStubBench stub <port> <upstream-port> <services> | upstream <port>");
      System.exit(2);
    }
  }

  private static void runStub(int port, int upstreamPort, int services) throws Exception {
    Path resolv = Files.createTempFile("bench-resolv", ".conf");
    resolv.toFile().deleteOnExit();
    Files.writeString(resolv, "nameserver 127.0.0.1:" + upstreamPort + "\n");
    DnsTable.Builder table = DnsTable.builder(30);
    for (int i = 0; i < services; i++) {
      table.add(
          "svc-" + i + ".mesh",
          "240." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF));
    }
    DnsStub stub =
        new DnsStub(
            DnsStubConfig.builder()
                .bindAddresses(List.of(InetAddress.getLoopbackAddress()))
                .port(port)
                .resolvConf(resolv)
                .build());
    stub.start();
    stub.update(table.build());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("counters " + stub.counters());
                  stub.close();
                }));
    System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + stub.port());
    new CountDownLatch(1).await();
  }

  private static void runUpstream(int port) throws IOException, InterruptedException {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("bench-upstream", true), NioIoHandler.newFactory());
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .option(
                ChannelOption.RECVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(64))
            .option(ChannelOption.SO_RCVBUF, 1 << 20)
            .handler(new TrivialResponder())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .sync()
            .channel();
    System.out.println(
        "ready pid="
            + ProcessHandle.current().pid()
            + " port="
            + ((InetSocketAddress) ch.localAddress()).getPort());
    ch.closeFuture().sync();
  }

  /** Answers every query with its question and one A record 192.0.2.1, TTL 300. */
  private static final class TrivialResponder extends ChannelInboundHandlerAdapter {
    private static final byte[] ANSWER = {
      (byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, (byte) 192, 0, 2, 1
    };
    private final byte[] q = new byte[2048];

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      try {
        ByteBuf in = packet.content();
        int len = Math.min(in.readableBytes(), q.length);
        in.getBytes(in.readerIndex(), q, 0, len);
        int end = len < Wire.HEADER_LENGTH ? -1 : Wire.skipName(q, Wire.HEADER_LENGTH, len);
        if (end < 0 || end + 4 > len) {
          return;
        }
        end += 4;
        ByteBuf out = ctx.alloc().ioBuffer(end + ANSWER.length);
        out.writeBytes(q, 0, 2);
        out.writeShort(Wire.FLAG_QR | Wire.FLAG_RA | (Wire.u16(q, 2) & Wire.FLAG_RD));
        out.writeShort(1).writeShort(1).writeInt(0);
        out.writeBytes(q, Wire.HEADER_LENGTH, end - Wire.HEADER_LENGTH);
        out.writeBytes(ANSWER);
        ctx.write(new DatagramPacket(out, packet.sender()), ctx.voidPromise());
      } finally {
        packet.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
