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
 * The HTTP/2 connections the simulated proxies stream over. Armeria pools one HTTP/2 connection
 * per endpoint per client factory, so {@code k} factories give {@code k} connections; stream
 * {@code i} uses factory {@code i % k}. All factories share one small event-loop group, so even
 * one connection per proxy costs sockets, not threads.
 */
final class AdsChannels implements AutoCloseable {
  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final String uri;
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
    this.uri = "h2c://" + host + ":" + port + "/";
    this.loops = EventLoopGroups.newEventLoopGroup(threads, "bench-ads", true);
    this.connections = connections;
  }

  /** The stub the stream of proxy number {@code index} uses. */
  synchronized AggregatedDiscoveryServiceStub stub(int index) {
    int slot = connections == 0 ? index : index % connections;
    while (stubs.size() <= slot) {
      ClientFactory f =
          ClientFactory.builder()
              .workerGroup(loops, false)
              .idleTimeout(Duration.ZERO)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      factories.add(f);
      stubs.add(
          GrpcClients.builder(uri)
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

  /** How many connections (client factories) are in use. */
  synchronized int connections() {
    return factories.size();
  }

  @Override
  public synchronized void close() {
    factories.forEach(ClientFactory::closeAsync);
    factories.forEach(f -> f.whenClosed().join());
    loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
