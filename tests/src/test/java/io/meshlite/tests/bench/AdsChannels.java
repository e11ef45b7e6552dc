package io.meshlite.tests.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP/2 connections the simulated proxies stream over; stream {@code i} uses connection
 * {@code i % k}. Armeria pools one HTTP/2 connection per endpoint address per client factory. For
 * a control plane on 127.0.0.1 every connection gets its own loopback address (127.0.0.1,
 * 127.0.1.1, 127.0.1.2, ...; the dp-server listens on all addresses) on one shared factory, which
 * makes even one connection per proxy cheap to open; for any other host each connection gets its
 * own client factory (slower to create: each builds its TLS context and resolver). Everything
 * shares one small event-loop group, so connections cost sockets, not threads.
 */
final class AdsChannels implements AutoCloseable {
  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final String host;
  private final int port;
  private final boolean tls;
  private final boolean loopback;
  private final EventLoopGroup loops;
  private final int connections;
  private final List<ClientFactory> factories = new ArrayList<>();
  private final List<AggregatedDiscoveryServiceStub> stubs = new ArrayList<>();

  /**
   * @param host the dp-server host
   * @param port the dp-server port (bootstrap and ADS)
   * @param connections how many HTTP/2 connections the streams share; 0 = one per stream
   * @param threads event-loop threads
   */
  AdsChannels(String host, int port, int connections, int threads) {
    this(host, port, connections, threads, true);
  }

  /**
   * @param tls whether the dp-server speaks TLS (kuma-cp always does; the certificate is not
   *     checked: the harness only ever targets a control plane it started on loopback)
   */
  AdsChannels(String host, int port, int connections, int threads, boolean tls) {
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.loopback = host.equals("127.0.0.1") || host.equals("localhost");
    this.loops = EventLoopGroups.newEventLoopGroup(threads, "bench-ads", true);
    this.connections = connections;
  }

  /** The stub the stream of proxy number {@code index} uses. */
  synchronized AggregatedDiscoveryServiceStub stub(int index) {
    int slot = connections == 0 ? index : index % connections;
    while (stubs.size() <= slot) {
      int n = stubs.size();
      ClientFactory f;
      if (factories.isEmpty() || !loopback) {
        f =
            ClientFactory.builder()
                .workerGroup(loops, false)
                .idleTimeout(Duration.ZERO)
                .connectTimeout(Duration.ofSeconds(10))
                .tlsNoVerify()
                .build();
        factories.add(f);
      } else {
        f = factories.get(0);
      }
      String address = loopback ? loopbackAddress(n) : host;
      stubs.add(
          GrpcClients.builder((tls ? "h2://" : "h2c://") + address + ":" + port + "/")
              .factory(f)
              .responseTimeout(Duration.ZERO)
              .writeTimeout(Duration.ZERO)
              .maxResponseLength(0)
              .maxResponseMessageLength(MAX_MESSAGE_BYTES)
              .maxRequestMessageLength(MAX_MESSAGE_BYTES)
              .build(AggregatedDiscoveryServiceStub.class));
    }
    return stubs.get(slot);
  }

  /** How many connections are in use. */
  synchronized int connections() {
    return stubs.size();
  }

  /** 127.0.0.1 for the first connection, then 127.0.1.1, 127.0.1.2, ... (never .0 or .255). */
  static String loopbackAddress(int n) {
    if (n == 0) {
      return "127.0.0.1";
    }
    int i = n - 1;
    int last = 1 + i % 254;
    int rest = i / 254;
    return "127." + (rest / 254) + "." + (1 + rest % 254) + "." + last;
  }

  @Override
  public synchronized void close() {
    factories.forEach(ClientFactory::closeAsync);
    factories.forEach(f -> f.whenClosed().join());
    loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
