package io.meshlite.cp.tokens.dp;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.ServerBuilder;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.tls.BootstrapTls;
import io.meshlite.cp.tls.CpTls;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dataplane server needs for TLS and dataplane tokens, in one object it calls at a few
 * hooks: the listening protocol and TLS identity, the ADS service wrapped by token
 * authentication, the token check of {@code POST /bootstrap}, the TLS parts of the bootstrap, and
 * {@code POST /dataplane-token/reload} (kuma-dp announces a changed token file; the proxy's streams
 * are closed so Envoy reconnects with the new token, without a restart).
 *
 * <p>{@link #insecure()} is plaintext without authentication (tests of other parts).
 */
public final class DpSecurity {
  /** The path kuma-dp posts a changed token to. */
  public static final String RELOAD_PATH = "/dataplane-token/reload";

  private static final Logger log = LoggerFactory.getLogger(DpSecurity.class);

  /** A refused bootstrap request: 422 without a token, 401 with a bad one. */
  public static final class Refused extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Supplier<CpTls> tls;
  private final ProxyAuthenticator authenticator;
  private final boolean reloadableTokens;
  private final LiveStreams live;
  private ScheduledExecutorService timer;
  private ExecutorService checks;

  /**
   * @param tls the server identity (read when the server starts), or null for plaintext
   * @param authenticator checks dataplane tokens, or null when proxies need none ({@code
   *     dpServer.authn.dpProxy.type: none})
   * @param reloadableTokens give Envoy the token as a file it reads per stream (needs TLS and a
   *     token file sent by kuma-dp)
   */
  public DpSecurity(
      Supplier<CpTls> tls, ProxyAuthenticator authenticator, boolean reloadableTokens, ResourceStore store, Clock clock) {
    this.tls = tls;
    this.authenticator = authenticator;
    this.reloadableTokens = reloadableTokens;
    this.live = authenticator == null ? null : new LiveStreams(authenticator, store, clock);
  }

  /** Plaintext, no authentication. */
  public static DpSecurity insecure() {
    return new DpSecurity(null, null, false, null, Clock.systemUTC());
  }

  /** The secret that lists the revoked dataplane tokens of a mesh. */
  public static String revocationsSecret(String mesh) {
    return "dataplane-token-revocations-" + mesh;
  }

  public boolean tls() {
    return tls != null;
  }

  public boolean authenticates() {
    return authenticator != null;
  }

  public synchronized void start() {
    if (live != null && timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dp-token-timer").daemon().factory());
      checks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dp-token-check-", 0).factory());
      live.start(timer, checks);
    }
  }

  public synchronized void stop() {
    if (timer != null) {
      live.stop();
      timer.shutdownNow();
      checks.shutdownNow();
      timer = null;
      checks = null;
    }
  }

  // ---------------------------------------------------------------- the server

  /** HTTPS, or HTTP when there is no TLS identity. */
  public SessionProtocol protocol() {
    return tls == null ? SessionProtocol.HTTP : SessionProtocol.HTTPS;
  }

  /** Adds the TLS identity and the reload route to the dp-server. */
  public void configure(ServerBuilder sb) {
    if (tls != null) {
      CpTls t = tls.get();
      sb.tls(TlsKeyPair.of(t.key(), t.chain()));
    }
    sb.route()
        .post(RELOAD_PATH)
        .requestTimeout(Duration.ofSeconds(10))
        .maxRequestLength(64 * 1024)
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    req.aggregate()
                        .thenApplyAsync(agg -> reload(agg.content().array()), ctx.blockingTaskExecutor())));
  }

  /** The ADS service, behind token authentication when it is on. */
  public ServerServiceDefinition ads(AggregatedDiscoveryServiceImplBase ads) {
    if (authenticator == null) {
      return ads.bindService();
    }
    return ServerInterceptors.intercept(
        new AuthenticatingAds(ads, authenticator, live, task -> checks().execute(task)), new TokenMetadata());
  }

  private synchronized ExecutorService checks() {
    if (checks == null) {
      throw new java.util.concurrent.RejectedExecutionException("dp-server security is not started");
    }
    return checks;
  }

  /** Number of authenticated ADS streams open now. */
  public int authenticatedStreams() {
    return live == null ? 0 : live.size();
  }

  // ---------------------------------------------------------------- bootstrap

  /**
   * Checks the token of a bootstrap request (before the Dataplane is looked up, so kuma-dp learns
   * about a bad token at once): Kuma answers 422 when it is missing; we also check the token itself
   * and answer 401 with the reason, so kuma-dp stops with one clear line instead of starting an
   * Envoy that would be refused.
   *
   * @throws Refused when the token is missing or not good for this proxy
   */
  public void checkBootstrap(BootstrapRequest req) {
    if (authenticator == null) {
      return;
    }
    String token = req.dataplaneToken() == null ? "" : req.dataplaneToken().strip();
    if (token.isEmpty()) {
      log.warn("dataplane refused mesh={} dp={} stage=bootstrap reason=\"no dataplane token\"", req.mesh(), req.name());
      throw new Refused(422, authenticator.missingCredential());
    }
    ProxyId id = new ProxyId(req.mesh(), req.name());
    try {
      authenticator.checkBeforeDataplane(token, id, Optional.ofNullable(req.dataplaneResource()));
    } catch (TokenRejected e) {
      log.warn("dataplane refused mesh={} dp={} stage=bootstrap reason=\"{}\"", req.mesh(), req.name(), e.getMessage());
      throw new Refused(401, e.getMessage());
    }
  }

  /**
   * Adds the TLS parts to a bootstrap: TLS with SNI for the ADS cluster, or the reloadable-token
   * form when kuma-dp sent a token file. The CA is the one kuma-dp sent ({@code caCert}), else the
   * control plane's.
   */
  public Bootstrap secureBootstrap(Bootstrap b, BootstrapRequest req, String xdsHost, int xdsPort) {
    if (tls == null) {
      return b;
    }
    String ca = req.caCert() != null && !req.caCert().isBlank() ? req.caCert() : tls.get().caPem();
    String tokenPath = req.dataplaneTokenPath();
    if (reloadableTokens && authenticator != null && tokenPath != null && !tokenPath.isBlank()) {
      return BootstrapTls.withReloadableToken(b, xdsHost, xdsPort, ca, tokenPath);
    }
    return BootstrapTls.withTls(b, xdsHost, ca);
  }

  // ---------------------------------------------------------------- token reload

  /** What kuma-dp posts when its token file changed. */
  record ReloadRequest(String mesh, String name, String dataplaneToken) {}

  private HttpResponse reload(byte[] body) {
    ReloadRequest r;
    try {
      r = Json.mapper().readValue(body, ReloadRequest.class);
    } catch (IOException | RuntimeException e) {
      return text(HttpStatus.BAD_REQUEST, "the body is not a token reload request: " + e.getMessage());
    }
    if (r == null || r.mesh() == null || r.mesh().isBlank() || r.name() == null || r.name().isBlank()) {
      return text(HttpStatus.UNPROCESSABLE_ENTITY, "mesh and name are required");
    }
    if (authenticator == null) {
      return json(Map.of("streamsClosed", 0));
    }
    if (r.dataplaneToken() == null || r.dataplaneToken().isBlank()) {
      return text(HttpStatus.UNPROCESSABLE_ENTITY, authenticator.missingCredential());
    }
    ProxyId id = new ProxyId(r.mesh(), r.name());
    ProxyAuthenticator.Accepted claims;
    try {
      claims = authenticator.check(r.dataplaneToken(), id, Optional.empty());
    } catch (TokenRejected e) {
      log.warn("dataplane token reload refused dp={} mesh={} reason=\"{}\"", r.name(), r.mesh(), e.getMessage());
      return text(HttpStatus.UNAUTHORIZED, e.getMessage());
    } catch (RuntimeException e) {
      // The check cannot be made now (the store or the Kubernetes API server does not answer): not a
      // refusal. The proxy keeps its streams; kuma-dp keeps the new token for the next reconnect.
      log.warn("dataplane token reload could not be checked dp={} mesh={} error={}", r.name(), r.mesh(), e.toString());
      return text(HttpStatus.SERVICE_UNAVAILABLE, "the control plane cannot check the token now: " + e.getMessage());
    }
    int closed =
        live.closeNode(
            id.nodeId(),
            Status.UNAVAILABLE.withDescription("dataplane token reloaded: reconnect with the new token"),
            "dataplane token reloaded");
    log.info(
        "dataplane token reloaded dp={} mesh={} tokenExpires={} streamsClosed={}",
        r.name(), r.mesh(), claims.expires().map(Object::toString).orElse("never"), closed);
    return json(Map.of("streamsClosed", closed));
  }

  private static HttpResponse text(HttpStatus status, String message) {
    return HttpResponse.of(status, MediaType.PLAIN_TEXT_UTF_8, message.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse json(Object body) {
    try {
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, Json.mapper().writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
