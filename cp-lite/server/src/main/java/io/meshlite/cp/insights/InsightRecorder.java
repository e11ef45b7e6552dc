package io.meshlite.cp.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.dpserver.AdsStreamCallbacks;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreEvent;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.xds.ProxyId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@code DataplaneInsight} per Dataplane in the store, as Kuma's insight sink does (see
 * the package design note): a subscription per ADS stream, written when the stream opens and when
 * it closes; the response counters of open streams are kept in memory and flushed at most once per
 * {@code flushInterval}, and only when they changed. At start, subscriptions this instance left
 * open (it crashed) are closed, so their proxies do not stay Online.
 *
 * <p>Threads: the discovery server calls {@link #callbacks()} on gRPC threads, which only touch
 * per-stream counters; every store write happens on the one {@code dp-insights} thread.
 */
public final class InsightRecorder implements Component {
  private static final Logger log = LoggerFactory.getLogger(InsightRecorder.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int WRITE_ATTEMPTS = 5;

  /** Type URL suffix → Kuma's per-service stats field. */
  private static final Map<String, String> SERVICES =
      Map.of(
          "envoy.config.cluster.v3.Cluster", "cds",
          "envoy.config.endpoint.v3.ClusterLoadAssignment", "eds",
          "envoy.config.listener.v3.Listener", "lds",
          "envoy.config.route.v3.RouteConfiguration", "rds");

  private final ResourceStore store;
  private final Clock clock;
  private final String instanceId;
  private final Duration flushInterval;
  private final ConcurrentHashMap<Long, Stream> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cert> certs = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final Callbacks callbacks = new Callbacks();

  private volatile boolean running;
  private ScheduledExecutorService executor;
  private ResourceStore.Subscription subscription;

  /**
   * @param store where insights are kept
   * @param clock the clock
   * @param instanceId this control plane instance ({@code controlPlaneInstanceId} of its subscriptions)
   * @param flushInterval how often changed counters are written ({@code
   *     xdsServer.dataplaneStatusFlushInterval}, default 10s)
   */
  public InsightRecorder(ResourceStore store, Clock clock, String instanceId, Duration flushInterval) {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException(
          "dataplaneStatusFlushInterval: " + flushInterval + " (expected: a positive duration)");
    }
    this.store = store;
    this.clock = clock;
    this.instanceId = instanceId;
    this.flushInterval = flushInterval;
  }

  /** Closes what a previous run of this instance left open, then starts recording. */
  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    closeAbandoned();
    executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dp-insights").daemon().factory());
    subscription = store.subscribe(this::onStoreEvent);
    long every = flushInterval.toMillis();
    executor.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    running = true;
    log.info("dataplane insights recording instance={} flushInterval={}", instanceId, flushInterval);
  }

  /**
   * Stops after writing what is pending (call it after the ADS streams were closed, so their
   * disconnects are recorded).
   */
  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    subscription.close();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  @Override
  public boolean ready() {
    return running;
  }

  /** The callbacks to register with the discovery server (after those that may refuse a stream). */
  public DiscoveryServerCallbacks callbacks() {
    return callbacks;
  }

  /** This instance's id, as written in {@code controlPlaneInstanceId}. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * A workload certificate was issued to a proxy: recorded in its insight's {@code mTLS} at the
   * next flush. Called on xDS lanes; does not block.
   */
  public void certificateIssued(String nodeId, String backend, Instant issuedAt, Instant notAfter) {
    Cert c = certs.computeIfAbsent(nodeId, k -> new Cert());
    synchronized (c) {
      c.backend = backend;
      c.issuedAt = issuedAt;
      c.notAfter = notAfter;
      c.pending++;
    }
    for (Stream s : streams.values()) {
      if (s.id.nodeId().equals(nodeId)) {
        s.dirty.set(true);
      }
    }
  }

  /** Store writes of insights since start (for tests and metrics). */
  public long writes() {
    return writes.get();
  }

  // ---------------------------------------------------------------- store side (dp-insights thread)

  /** Closes the subscriptions this instance left open (it was killed); runs before any stream opens. */
  private void closeAbandoned() {
    Instant now = clock.instant();
    int closed = 0;
    for (Resource insight : store.list(ResourceTypes.DATAPLANE_INSIGHT, null)) {
      Optional<ObjectNode> next = DataplaneInsights.closeAbandoned(insight.spec(), instanceId, now);
      if (next.isEmpty()) {
        continue;
      }
      try {
        store.update(insight.withSpec(next.get()));
        closed++;
      } catch (StoreException e) {
        log.warn("could not close an abandoned subscription dp={} mesh={} error={}",
            insight.name(), insight.mesh(), e.getMessage());
      }
    }
    if (closed > 0) {
      log.info("closed the subscriptions of {} dataplanes left open by a previous run of instance={}", closed, instanceId);
    }
  }

  private void onStoreEvent(StoreEvent e) {
    if (e.kind() != StoreEvent.Kind.CREATED || !e.key().type().equals(ResourceTypes.DATAPLANE.name())) {
      return;
    }
    // A proxy may connect before its Dataplane exists (self-registration races, or it is applied
    // later): record its open stream as soon as the Dataplane appears.
    for (Stream s : streams.values()) {
      if (s.id.mesh().equals(e.key().mesh()) && s.id.name().equals(e.key().name())) {
        submit(() -> write(s, null));
      }
    }
  }

  private void flush() {
    for (Stream s : streams.values()) {
      if (s.dirty.get() || !s.written) {
        write(s, null);
      }
    }
  }

  /**
   * Writes the stream's subscription into the insight of its Dataplane; creates the insight when
   * the Dataplane exists and has none. Runs on the dp-insights thread only.
   */
  private void write(Stream s, Instant disconnectTime) {
    ResourceKey key = DataplaneInsights.insightKey(s.id.mesh(), s.id.name());
    for (int attempt = 1; ; attempt++) {
      s.dirty.set(false);
      ObjectNode sub = s.toJson(disconnectTime);
      Cert cert = certs.get(s.id.nodeId());
      long regenerations = 0;
      try {
        Optional<Resource> current = store.get(key);
        ObjectNode spec;
        if (current.isEmpty()) {
          if (store.get(ResourceKey.of(ResourceTypes.DATAPLANE, s.id.mesh(), s.id.name())).isEmpty()) {
            return; // no Dataplane (yet): written when it is created
          }
          spec = DataplaneInsights.withSubscription(null, sub, DataplaneInsights.SUBSCRIPTION_LIMIT);
        } else {
          spec = DataplaneInsights.withSubscription(current.get().spec(), sub, DataplaneInsights.SUBSCRIPTION_LIMIT);
        }
        if (cert != null) {
          synchronized (cert) {
            regenerations = cert.pending;
            spec = DataplaneInsights.withMtls(spec, cert.backend, cert.issuedAt, cert.notAfter, regenerations);
          }
        }
        if (current.isEmpty()) {
          store.create(new Resource(ResourceTypes.DATAPLANE_INSIGHT, s.id.mesh(), s.id.name(), ResourceMeta.draft(Map.of()), spec));
        } else {
          store.update(current.get().withSpec(spec));
        }
        if (cert != null) {
          synchronized (cert) {
            cert.pending -= regenerations;
          }
        }
        s.written = true;
        s.generation++;
        writes.incrementAndGet();
        return;
      } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
        if (attempt >= WRITE_ATTEMPTS) {
          s.dirty.set(true);
          log.warn("could not write the insight after {} attempts dp={} mesh={} error={}",
              attempt, s.id.name(), s.id.mesh(), e.getMessage());
          return;
        }
      } catch (RuntimeException e) {
        s.dirty.set(true); // retried at the next flush
        log.warn("could not write the insight dp={} mesh={} error={}", s.id.name(), s.id.mesh(), e.toString());
        return;
      }
    }
  }

  private void submit(Runnable task) {
    ScheduledExecutorService ex = executor;
    if (ex == null) {
      return;
    }
    try {
      ex.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("dataplane insight task failed", e);
        }
      });
    } catch (RejectedExecutionException stopped) {
      // stopped
    }
  }

  // ---------------------------------------------------------------- stream side (gRPC threads)

  /** Counters of one discovery service ({@code responsesSent/Acknowledged/Rejected}). */
  private static final class Stats {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    ObjectNode toJson() {
      ObjectNode n = F.objectNode();
      // uint64 in proto JSON: strings, zero values left out
      if (sent.get() > 0) {
        n.put("responsesSent", Long.toString(sent.get()));
      }
      if (acked.get() > 0) {
        n.put("responsesAcknowledged", Long.toString(acked.get()));
      }
      if (rejected.get() > 0) {
        n.put("responsesRejected", Long.toString(rejected.get()));
      }
      return n;
    }
  }

  /** The newest workload certificate of a proxy and how many were issued since the last write. */
  private static final class Cert {
    String backend;
    Instant issuedAt;
    Instant notAfter;
    long pending;
  }

  /** One ADS stream: the subscription it becomes. */
  private static final class Stream {
    final ProxyId id;
    final String subscriptionId = UUID.randomUUID().toString();
    final String instanceId;
    final Instant connectTime;
    final JsonNode version;
    final Stats total = new Stats();
    final Map<String, Stats> byService = new ConcurrentHashMap<>();
    final AtomicBoolean dirty = new AtomicBoolean();
    volatile Instant lastUpdateTime;
    // dp-insights thread only
    boolean written;
    long generation;

    Stream(ProxyId id, String instanceId, Instant connectTime, JsonNode version) {
      this.id = id;
      this.instanceId = instanceId;
      this.connectTime = connectTime;
      this.version = version;
    }

    Stats service(String typeUrl) {
      String field = SERVICES.get(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
      return field == null ? null : byService.computeIfAbsent(field, k -> new Stats());
    }

    ObjectNode toJson(Instant disconnectTime) {
      ObjectNode s = F.objectNode();
      s.put("id", subscriptionId);
      s.put("controlPlaneInstanceId", instanceId);
      s.put("connectTime", connectTime.toString());
      if (disconnectTime != null) {
        s.put("disconnectTime", disconnectTime.toString());
      }
      ObjectNode status = s.putObject("status");
      Instant last = lastUpdateTime;
      if (last != null) {
        status.put("lastUpdateTime", last.toString());
      }
      status.set("total", total.toJson());
      for (String field : new java.util.TreeSet<>(byService.keySet())) {
        status.set(field, byService.get(field).toJson());
      }
      if (version != null && version.isObject() && !version.isEmpty()) {
        s.set("version", version.deepCopy());
      }
      if (generation > 0) {
        s.put("generation", generation);
      }
      return s;
    }
  }

  /** The {@code version} struct kuma-dp puts into the node metadata ({@code kumaDp}, {@code envoy}, ...). */
  private static JsonNode versionOf(Node node) {
    Value v = node.getMetadata().getFieldsMap().get("version");
    if (v == null || !v.hasStructValue()) {
      return null;
    }
    try {
      String json = com.google.protobuf.util.JsonFormat.printer().print(v.getStructValue());
      return Json.mapper().readTree(json);
    } catch (Exception e) {
      return null;
    }
  }

  /** Stream tracking from the discovery server; runs on gRPC threads. */
  private final class Callbacks implements AdsStreamCallbacks {
    @Override
    public void request(long streamId, AdsRequest request) {
      Stream s = streams.get(streamId);
      if (s == null) {
        if (!running) {
          return;
        }
        ProxyId id;
        try {
          id = ProxyId.parse(request.node().getId());
        } catch (IllegalArgumentException e) {
          return; // refused by the reconciler
        }
        Stream fresh = new Stream(id, instanceId, clock.instant(), versionOf(request.node()));
        if (streams.putIfAbsent(streamId, fresh) == null) {
          submit(() -> write(fresh, null));
        }
        return;
      }
      if (!request.answersResponse()) {
        return; // a subscription, not an answer to a response
      }
      Stats service = s.service(request.typeUrl());
      if (request.nack()) {
        s.total.rejected.incrementAndGet();
        if (service != null) {
          service.rejected.incrementAndGet();
        }
      } else {
        s.total.acked.incrementAndGet();
        if (service != null) {
          service.acked.incrementAndGet();
        }
      }
      s.dirty.set(true);
    }

    @Override
    public void responded(long streamId, String typeUrl) {
      Stream s = streams.get(streamId);
      if (s == null) {
        return;
      }
      s.total.sent.incrementAndGet();
      Stats service = s.service(typeUrl);
      if (service != null) {
        service.sent.incrementAndGet();
      }
      s.lastUpdateTime = clock.instant();
      s.dirty.set(true);
    }

    @Override
    public void streamEnded(long streamId) {
      Stream s = streams.remove(streamId);
      if (s != null) {
        Instant at = clock.instant();
        submit(() -> {
          write(s, at);
          if (streams.values().stream().noneMatch(o -> o.id.equals(s.id))) {
            certs.remove(s.id.nodeId()); // re-issued when the proxy reconnects
          }
        });
      }
    }
  }
}
