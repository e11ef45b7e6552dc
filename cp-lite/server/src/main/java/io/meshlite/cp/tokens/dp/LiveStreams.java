package io.meshlite.cp.tokens.dp;

import io.grpc.Status;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.tokens.KeyFamily;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated ADS streams, kept honest while they live (Kuma only checks a token when the
 * stream opens): each stream is closed the moment its token expires (a timer at {@code exp}), and
 * the streams of a mesh are checked again when its revocation list, its signing keys or a
 * Dataplane change, so a revoked token or a removed key ends the stream at once.
 */
final class LiveStreams {
  private static final Logger log = LoggerFactory.getLogger(LiveStreams.class);
  private static final Duration REPEAT_LOG_AFTER = Duration.ofMinutes(1);

  /** A stream that can be checked again and closed. */
  interface Guarded {
    ProxyId id();

    String token();

    Optional<String> inline();

    ProxyAuthenticator.Accepted accepted();

    /** Closes the stream: Envoy gets {@code status}; {@code why} is for the discovery server. */
    void close(Status status, String why);
  }

  private final ProxyAuthenticator authenticator;
  private final ResourceStore store;
  private final Clock clock;
  private final Map<Guarded, Boolean> streams = new ConcurrentHashMap<>();
  private final Map<Guarded, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastRefusalLog = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;
  private ExecutorService checks;
  private ResourceStore.Subscription subscription;

  LiveStreams(ProxyAuthenticator authenticator, ResourceStore store, Clock clock) {
    this.authenticator = authenticator;
    this.store = store;
    this.clock = clock;
  }

  synchronized void start(ScheduledExecutorService timer, ExecutorService checks) {
    this.timer = timer;
    this.checks = checks;
    subscription = store.subscribe(this::onEvent);
  }

  synchronized void stop() {
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
    streams.clear();
    timers.clear();
  }

  /** Number of authenticated streams open now. */
  int size() {
    return streams.size();
  }

  void opened(Guarded s) {
    ProxyAuthenticator.Accepted c = s.accepted();
    log.info(
        "dataplane authenticated dp={} mesh={} authn={} tokenExpires={} {}",
        s.id().name(), s.id().mesh(), authenticator.type(), c.expires().map(Object::toString).orElse("never"), c.subject());
    streams.put(s, Boolean.TRUE);
    c.expires().ifPresent(exp -> scheduleExpiry(s, exp));
  }

  void closed(Guarded s) {
    streams.remove(s);
    ScheduledFuture<?> f = timers.remove(s);
    if (f != null) {
      f.cancel(false);
    }
  }

  /** Logs a refusal once a minute per proxy and reason (Envoy retries a refused stream). */
  void refused(String nodeId, String reason) {
    String key = nodeId + "\n" + reason;
    Instant now = clock.instant();
    Instant last = lastRefusalLog.get(key);
    if (last == null || !now.isBefore(last.plus(REPEAT_LOG_AFTER))) {
      lastRefusalLog.put(key, now);
      if (lastRefusalLog.size() > 10_000) {
        lastRefusalLog.clear();
      }
      log.warn("dataplane refused node={} stage=xds-stream reason=\"{}\"", nodeId, reason);
    } else {
      log.debug("dataplane refused again node={} reason=\"{}\"", nodeId, reason);
    }
  }

  /** Closes every stream of a proxy (it reconnects); returns how many were closed. */
  int closeNode(String nodeId, Status status, String why) {
    int n = 0;
    for (Guarded s : List.copyOf(streams.keySet())) {
      if (s.id().nodeId().equals(nodeId)) {
        s.close(status, why);
        n++;
      }
    }
    return n;
  }

  private void scheduleExpiry(Guarded s, Instant expires) {
    long delay = Math.max(0, Duration.between(clock.instant(), expires).toMillis()) + 10;
    try {
      timers.put(s, timer.schedule(() -> checkLater(s), delay, TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException stopping) {
      // shutting down
    }
    if (!streams.containsKey(s)) {
      closed(s); // closed meanwhile
    }
  }

  private void checkLater(Guarded s) {
    try {
      checks.execute(() -> recheck(s));
    } catch (RejectedExecutionException stopping) {
      // shutting down
    }
  }

  private void onEvent(StoreEvent e) {
    String type = e.key().type();
    String mesh = e.key().mesh();
    if (type.equals(ResourceTypes.SECRET.name())) {
      String name = e.key().name();
      boolean relevant =
          name.equals(DpSecurity.revocationsSecret(mesh))
              || KeyFamily.dataplane(mesh).serialOf(name).isPresent();
      if (relevant) {
        recheckLater(s -> s.id().mesh().equals(mesh));
      }
    } else if (type.equals(ResourceTypes.DATAPLANE.name())) {
      recheckLater(s -> s.id().mesh().equals(mesh) && s.id().name().equals(e.key().name()));
    } else if (type.equals(ResourceTypes.MESH_TYPE.name()) && e.kind() == StoreEvent.Kind.DELETED) {
      recheckLater(s -> s.id().mesh().equals(e.key().name()));
    }
  }

  private void recheckLater(java.util.function.Predicate<Guarded> which) {
    if (streams.isEmpty()) {
      return;
    }
    try {
      checks.execute(() -> streams.keySet().stream().filter(which).toList().forEach(this::recheck));
    } catch (RejectedExecutionException stopping) {
      // shutting down
    }
  }

  /** Checks a stream's token again and closes the stream when it is no longer good. */
  private void recheck(Guarded s) {
    if (!streams.containsKey(s)) {
      return;
    }
    try {
      ProxyAuthenticator.Accepted c = authenticator.check(s.token(), s.id(), s.inline());
      ScheduledFuture<?> f = timers.get(s);
      if (f != null && f.isDone() && streams.containsKey(s) && c.expires().isPresent()) {
        // The expiry timer woke up before the clock reached exp: wait for the real expiry.
        scheduleExpiry(s, c.expires().get());
      }
    } catch (TokenRejected e) {
      log.warn(
          "dataplane token no longer valid, closing its xDS stream dp={} mesh={} reason=\"{}\"",
          s.id().name(), s.id().mesh(), e.getMessage());
      s.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), "dataplane token no longer valid");
    } catch (RuntimeException e) {
      log.warn("could not check a dataplane token again dp={} mesh={} error={}", s.id().name(), s.id().mesh(), e.toString());
    }
  }
}
