package io.meshlite.tests.bench;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.BuildVersion;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.type.v3.SemanticVersion;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated Envoy on one ADS stream. Subclasses speak SotW or delta; this class holds what
 * both share: the node sent on the first request (with the metadata a Kuma bootstrap gives Envoy),
 * the ACKed {@link ProxyView}, the {@link Convergence}s waiting on it, NACK decisions and counters.
 *
 * <p>All stream callbacks and {@link #expect} run under this object's monitor. gRPC delivers one
 * stream's messages one at a time, so the monitor is uncontended except for the harness thread
 * registering a new expectation.
 */
abstract sealed class SimulatedProxy permits SotwProxy, DeltaProxy {
  static final String ENVOY_VERSION = "1.39.3";

  final String name;
  final Node node;
  final ProxyView view = new ProxyView();
  final AtomicLong responses = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  final AtomicLong acks = new AtomicLong();
  final AtomicLong nacks = new AtomicLong();
  volatile long startNanos;

  /** When the first response of CDS, EDS and LDS arrived (0 = not yet); for the phase breakdown. */
  final long[] firstResponseNanos = new long[3];
  private volatile String failure;
  private final String token;
  private final double nackFraction;
  private final Random random;
  private final List<Convergence> waiting = new ArrayList<>();

  /**
   * @param mesh the Dataplane's mesh
   * @param name the Dataplane name
   * @param service its first inbound's service (the node cluster, as Kuma 2.x sets it)
   * @param token a dataplane token sent as {@code authorization} metadata, or null for none
   * @param nackFraction the probability of NACKing any one response
   * @param seed makes the NACK decisions reproducible
   */
  SimulatedProxy(
      String mesh, String name, String service, String token, double nackFraction, long seed, boolean delta) {
    this.name = name;
    this.node = node(mesh, name, service, delta);
    this.token = token;
    this.nackFraction = nackFraction;
    this.random = new Random(seed);
  }

  /** Opens the stream and sends the first request. */
  abstract void start(AggregatedDiscoveryServiceStub stub);

  /** Half-closes the stream, as Envoy does when it shuts down. */
  abstract void close();

  /** The stub with this proxy's token attached, if it has one. */
  final AggregatedDiscoveryServiceStub withToken(AggregatedDiscoveryServiceStub stub) {
    if (token == null) {
      return stub;
    }
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** Checks a condition now and after every later ACK until it holds. */
  final synchronized void expect(Convergence c) {
    if (failure != null) {
      c.failed(name, failure);
    } else if (c.test(name, view)) {
      c.done(name, System.nanoTime());
    } else {
      waiting.add(c);
    }
  }

  /** Called (under the monitor) after each ACK. */
  final void acked() {
    acks.incrementAndGet();
    if (waiting.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    waiting.removeIf(c -> {
      if (c.test(name, view)) {
        c.done(name, now);
        return true;
      }
      return false;
    });
  }

  /** The stream ended or broke: every waiting convergence learns it. */
  final synchronized void failed(String reason) {
    if (failure != null) {
      return;
    }
    failure = reason;
    waiting.forEach(c -> c.failed(name, reason));
    waiting.clear();
  }

  final String failure() {
    return failure;
  }

  final boolean failedAlready() {
    return failure != null;
  }

  /** Counts a response and notes when the first of its type came (under the monitor). */
  final void received(String typeUrl, int serializedSize) {
    responses.incrementAndGet();
    bytes.addAndGet(serializedSize);
    int slot =
        switch (typeUrl) {
          case ProxyView.CDS -> 0;
          case ProxyView.EDS -> 1;
          case ProxyView.LDS -> 2;
          default -> -1;
        };
    if (slot >= 0 && firstResponseNanos[slot] == 0) {
      firstResponseNanos[slot] = System.nanoTime();
    }
  }

  /** Whether to NACK the response just received (under the monitor). */
  final boolean nackNext() {
    return nackFraction > 0 && random.nextDouble() < nackFraction;
  }

  static Status nackDetail() {
    return Status.newBuilder()
        .setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
        .setMessage("xds load harness: rejected on purpose (simulated NACK)")
        .build();
  }

  /** The node as Envoy sends it from a Kuma 2.14 bootstrap (kuma-dp-spec §2.6). */
  static Node node(String mesh, String name, String service, boolean delta) {
    Struct.Builder md = Struct.newBuilder();
    md.putFields("dataplane.proxyType", str("dataplane"));
    md.putFields("dataplane.admin.port", str("9901"));
    md.putFields("dataplane.admin.address", str("127.0.0.1"));
    md.putFields("dataplane.readinessReporter.port", str("9902"));
    md.putFields("dataplane.dns.port", str("15053"));
    Struct kumaDp =
        Struct.newBuilder()
            .putFields("version", str("2.14.0"))
            .putFields("gitTag", str("2.14.0"))
            .putFields("gitCommit", str("bench"))
            .putFields("buildDate", str("2026-01-01T00:00:00Z"))
            .build();
    Struct envoy =
        Struct.newBuilder()
            .putFields("version", str(ENVOY_VERSION))
            .putFields("build", str("bench/" + ENVOY_VERSION + "/Clean/RELEASE/BoringSSL"))
            .putFields("kumaDpCompatible", Value.newBuilder().setBoolValue(true).build())
            .build();
    md.putFields(
        "version",
        Value.newBuilder()
            .setStructValue(
                Struct.newBuilder()
                    .putFields("kumaDp", Value.newBuilder().setStructValue(kumaDp).build())
                    .putFields("envoy", Value.newBuilder().setStructValue(envoy).build()))
            .build());
    ListValue.Builder features =
        ListValue.newBuilder()
            .addValues(str("feature-tcp-accesslog-via-named-pipe"))
            .addValues(str("feature-strict-inbound-ports"))
            .addValues(str("feature-reuse-port"))
            .addValues(str("feature-embedded-dns"));
    if (delta) {
      features.addValues(str("feature-delta-grpc"));
    }
    md.putFields("features", Value.newBuilder().setListValue(features).build());
    md.putFields("workdir", str("/tmp/kuma-dp-" + name));
    md.putFields("metricsCertPath", str(""));
    md.putFields("metricsKeyPath", str(""));
    md.putFields("systemCaPath", str(""));
    md.putFields("ipv6Enabled", Value.newBuilder().setBoolValue(false).build());
    String[] v = ENVOY_VERSION.split("\\.");
    return Node.newBuilder()
        .setId(mesh + "." + name)
        .setCluster(service)
        .setMetadata(md)
        .setUserAgentName("envoy")
        .setUserAgentBuildVersion(
            BuildVersion.newBuilder()
                .setVersion(
                    SemanticVersion.newBuilder()
                        .setMajorNumber(Integer.parseInt(v[0]))
                        .setMinorNumber(Integer.parseInt(v[1]))
                        .setPatch(Integer.parseInt(v[2]))))
        .addClientFeatures("envoy.lb.does_not_support_overprovisioning")
        .addClientFeatures("envoy.lrs.supports_send_all_clusters")
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  static String describe(Throwable t) {
    io.grpc.Status s = io.grpc.Status.fromThrowable(t);
    return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }
}
