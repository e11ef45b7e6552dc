package io.meshlite.cp.dpserver;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer;
import io.meshlite.cp.dpserver.lifecycle.DataplaneLifecycle;
import io.meshlite.cp.insights.InsightRecorder;
import io.meshlite.cp.insights.InstanceIds;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.tokens.dp.DpSecurity;
import io.meshlite.cp.xds.XdsReconciler;
import io.meshlite.cp.xds.XdsStats;
import io.meshlite.cp.xds.generator.ProxyProfile;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane server: one port serving {@code POST /bootstrap} (HTTP/1.1 and h2c) and the ADS
 * gRPC service (SotW and incremental) that Envoy streams its configuration from. It owns the xDS
 * snapshot cache and the {@link XdsReconciler} that keeps it current.
 */
public final class DpServer implements Component {
  private static final Logger log = LoggerFactory.getLogger(DpServer.class);
  private static final int MAX_BOOTSTRAP_REQUEST_BYTES = 1 << 20;
  private static final int MAX_GRPC_MESSAGE_BYTES = 4 << 20;

  private final DpServerConfig config;
  /** Shards of java-control-plane's cache: pushes to different proxies do not wait for one lock. */
  private static final int CACHE_SHARDS = 32;

  private final ShardedSnapshotCache cache;
  private final XdsReconciler reconciler;
  private final BootstrapHandler bootstrap;
  private final DataplaneLifecycle lifecycle;
  private final DpSecurity security;
  private final InsightRecorder insights;
  private volatile Server server;

  /**
   * A plaintext server without dataplane authentication.
   *
   * @param config the server's settings
   * @param store where Meshes and Dataplanes are read and change events come from
   * @param clock the clock
   */
  public DpServer(DpServerConfig config, ResourceStore store, Clock clock) {
    this(config, store, clock, Duration.ofSeconds(10), DpSecurity.insecure());
  }

  /** A plaintext dataplane server without token checks and with a custom deregistration delay. */
  public DpServer(DpServerConfig config, ResourceStore store, Clock clock, Duration deregistrationDelay) {
    this(config, store, clock, deregistrationDelay, DpSecurity.insecure());
  }

  /** A dataplane server with TLS and token checks, and Kuma's 10 s deregistration delay. */
  public DpServer(DpServerConfig config, ResourceStore store, Clock clock, DpSecurity security) {
    this(config, store, clock, Duration.ofSeconds(10), security);
  }

  /**
   * @param deregistrationDelay how long a self-registered Dataplane outlives its proxy's last ADS
   *     stream ({@code KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY})
   * @param security TLS and dataplane token authentication (see {@link DpSecurity})
   */
  public DpServer(
      DpServerConfig config,
      ResourceStore store,
      Clock clock,
      Duration deregistrationDelay,
      DpSecurity security) {
    this(
        config, store, clock, deregistrationDelay, security,
        new InsightRecorder(store, clock, InstanceIds.of(config.port()), Duration.ofSeconds(10)));
  }

  /**
   * @param insights records the DataplaneInsight of each connected proxy (started and stopped with
   *     this server)
   */
  public DpServer(
      DpServerConfig config,
      ResourceStore store,
      Clock clock,
      Duration deregistrationDelay,
      DpSecurity security,
      InsightRecorder insights) {
    this.config = config;
    this.insights = insights;
    this.lifecycle = new DataplaneLifecycle(store, deregistrationDelay);
    this.security = security;
    this.cache = new ShardedSnapshotCache(CACHE_SHARDS);
    this.reconciler =
        new XdsReconciler(
            store,
            cache,
            ProxyProfile.dataplane(),
            clock,
            config.reconcileDebounce(),
            config.resyncInterval(),
            insights::certificateIssued);
    this.bootstrap = new BootstrapHandler(store, config, this::port, security);
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    reconciler.start();
    lifecycle.start();
    security.start();
    insights.start(); // closes what a crashed run left open, before any stream opens
    V3DiscoveryServer xds =
        new V3DiscoveryServer(
            List.of(lifecycle.callbacks(), reconciler.callbacks(), insights.callbacks()),
            cache,
            new DefaultExecutorGroup(),
            new CachedProtoResourcesSerializer());
    // Our own gRPC bridge, not Armeria's GrpcService: its builder always generates JSON marshallers
    // with ByteBuddy (≈ 1,230 classes, ≈ 12 MiB RSS at idle) that binary-only ADS never uses
    // (docs/bench/xds.md).
    GrpcBridgeService ads =
        new GrpcBridgeService(
            security.ads(new NodeCarryingAds(xds.getAggregatedDiscoveryServiceImpl())), MAX_GRPC_MESSAGE_BYTES);
    InetSocketAddress bind =
        config.bindAddress().isEmpty()
            ? new InetSocketAddress(config.port())
            : new InetSocketAddress(config.bindAddress(), config.port());
    ServerBuilder sb = Server.builder();
    security.configure(sb);
    Server s =
        sb.port(bind, security.protocol())
            // ADS streams live as long as the proxy: no request timeout, no total size limit.
            .requestTimeout(Duration.ZERO)
            .maxRequestLength(0)
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
            .route()
            .post("/bootstrap")
            .requestTimeout(Duration.ofSeconds(10))
            .maxRequestLength(MAX_BOOTSTRAP_REQUEST_BYTES)
            .build(bootstrapService())
            .serviceUnder(ads.pathPrefix(), ads)
            .build();
    try {
      s.start().join();
    } catch (RuntimeException e) {
      lifecycle.stop();
      reconciler.stop();
      security.stop();
      insights.stop();
      throw new IllegalStateException(
          "dp-server cannot listen on " + bind + ": " + rootMessage(e) + " (set KUMA_DP_SERVER_PORT to a free port)", e);
    }
    server = s;
    log.info(
        "dp-server listening address={} port={} (bootstrap + ADS, {}, dataplane tokens {})",
        bind.getHostString(), port(), security.tls() ? "TLS" : "plaintext", security.authenticates() ? "required" : "off");
  }

  @Override
  public synchronized void stop() {
    Server s = server;
    if (s == null) {
      return;
    }
    server = null;
    lifecycle.stop(); // before the streams close: a stopping CP deregisters nothing
    s.stop().join();
    insights.stop(); // after the streams closed: their disconnects are written
    reconciler.stop();
    security.stop();
    log.info("dp-server stopped");
  }

  @Override
  public boolean ready() {
    return server != null && reconciler.ready();
  }

  /** The bound port (the real one when configured with 0). */
  @Override
  public String toString() {
    return "dp-server";
  }

  public int port() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException("dp-server is not started");
    }
    return s.activeLocalPort();
  }

  /** Node ids of the proxies connected over ADS. */
  public Set<String> connectedProxies() {
    return reconciler.connectedProxies();
  }

  /** The DataplaneInsight recorder. */
  public InsightRecorder insights() {
    return insights;
  }

  /** Reconciler counters. */
  public XdsStats xdsStats() {
    return reconciler.stats();
  }

  private HttpService bootstrapService() {
    return (ctx, req) ->
        HttpResponse.of(
            req.aggregate()
                .thenApplyAsync(
                    agg -> {
                      String authority = agg.headers().authority();
                      if (authority == null || authority.isEmpty()) {
                        authority = ctx.localAddress().getAddress().getHostAddress();
                      }
                      String accept = agg.headers().get(HttpHeaderNames.ACCEPT, "");
                      BootstrapHandler.Reply r =
                          bootstrap.handle(agg.content().array(), authority, accept.contains("application/json"));
                      return HttpResponse.of(HttpStatus.valueOf(r.status()), MediaType.parse(r.contentType()), r.body());
                    },
                    ctx.blockingTaskExecutor()));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.toString();
  }
}
