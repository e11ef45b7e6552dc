package io.meshlite.cp.tokens.dp;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The ADS service behind dataplane token authentication. A stream is held back until its first
 * request (which carries the node) has been authenticated on {@code auth}; only then is the real
 * ADS stream opened, so a refused proxy never reaches the snapshot cache and never receives any
 * configuration. A refused stream is closed with {@code UNAUTHENTICATED} and the reason. An
 * accepted stream is registered with {@link LiveStreams}, which closes it the moment its token
 * expires, is revoked or loses its signing key.
 */
final class AuthenticatingAds extends AggregatedDiscoveryServiceImplBase {
  private final AggregatedDiscoveryServiceImplBase delegate;
  private final ProxyAuthenticator authenticator;
  private final LiveStreams live;
  private final Executor auth;

  /**
   * @param auth where authentication runs (it reads the store, which may block)
   */
  AuthenticatingAds(
      AggregatedDiscoveryServiceImplBase delegate, ProxyAuthenticator authenticator, LiveStreams live, Executor auth) {
    this.delegate = delegate;
    this.authenticator = authenticator;
    this.live = live;
    this.auth = auth;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
    return new Stream<>(
        TokenMetadata.current(), new Responses<>(responses), DiscoveryRequest::getNode,
        delegate::streamAggregatedResources);
  }

  /** Incremental (delta) ADS: authenticated exactly like a SotW stream, on its first request. */
  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(StreamObserver<DeltaDiscoveryResponse> responses) {
    return new Stream<>(
        TokenMetadata.current(), new Responses<>(responses), DeltaDiscoveryRequest::getNode,
        delegate::deltaAggregatedResources);
  }

  /**
   * Checks the credential of a stream: exactly one {@code authorization} value, for the proxy the
   * node id names.
   *
   * @param values the stream's {@code authorization} metadata values
   * @param node the node of its first request
   * @throws TokenRejected when it is missing, not alone, or not good for this proxy
   */
  private ProxyAuthenticator.Accepted check(List<String> values, Node node) {
    if (values.isEmpty()) {
      throw new TokenRejected(
          "no dataplane token: the xDS stream carries no authorization metadata ("
              + authenticator.missingCredential() + ")");
    }
    if (values.size() > 1) {
      throw new TokenRejected(
          "the xDS stream carries " + values.size() + " authorization values (expected: exactly one dataplane token)");
    }
    return authenticator.check(values.get(0), proxyId(node.getId()), inlineDataplane(node));
  }

  static Optional<String> inlineDataplane(Node node) {
    Value v = node.getMetadata().getFieldsMap().get("dataplane.resource");
    return v == null || v.getStringValue().isBlank() ? Optional.empty() : Optional.of(v.getStringValue());
  }

  static ProxyId proxyId(String nodeId) {
    if (nodeId.isEmpty()) {
      throw new TokenRejected("the first xDS request carries no node id (expected: <mesh>.<name>)");
    }
    try {
      return ProxyId.parse(nodeId);
    } catch (IllegalArgumentException e) {
      throw new TokenRejected("node id \"" + nodeId + "\" is not valid: " + e.getMessage());
    }
  }

  /** The response side, safe to close from any thread (the discovery server locks on it too). */
  static final class Responses<R> implements StreamObserver<R> {
    private final StreamObserver<R> out;
    private boolean done;

    Responses(StreamObserver<R> out) {
      this.out = out;
    }

    @Override
    public synchronized void onNext(R r) {
      if (!done) {
        try {
          out.onNext(r);
        } catch (StatusRuntimeException e) {
          done = true; // the call is already gone
        }
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!done) {
        done = true;
        try {
          out.onError(t);
        } catch (RuntimeException e) {
          // the call is already gone
        }
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!done) {
        done = true;
        try {
          out.onCompleted();
        } catch (RuntimeException e) {
          // the call is already gone
        }
      }
    }
  }

  /**
   * One ADS stream, SotW ({@code Q} = {@code DiscoveryRequest}) or delta: authenticating, open or
   * closed.
   */
  final class Stream<Q, R> implements StreamObserver<Q>, LiveStreams.Guarded {
    private final List<String> tokens;
    private final Responses<R> responses;
    private final Function<Q, Node> nodeOf;
    private final Function<StreamObserver<R>, StreamObserver<Q>> open;
    // Guarded by this: the delegate's request side and what waits for authentication.
    private StreamObserver<Q> requests;
    private List<Q> pending;
    private boolean closed;
    private ProxyId id;
    private String token;
    private Optional<String> inline = Optional.empty();
    private volatile ProxyAuthenticator.Accepted accepted;

    /**
     * @param nodeOf the node of a request (the first request carries it)
     * @param open opens the real ADS stream once the proxy is authenticated
     */
    Stream(
        List<String> tokens,
        Responses<R> responses,
        Function<Q, Node> nodeOf,
        Function<StreamObserver<R>, StreamObserver<Q>> open) {
      this.tokens = tokens;
      this.responses = responses;
      this.nodeOf = nodeOf;
      this.open = open;
    }

    @Override
    public void onNext(Q request) {
      synchronized (this) {
        if (closed) {
          return;
        }
        if (requests != null) {
          requests.onNext(request);
          return;
        }
        if (pending != null) {
          pending.add(request); // still authenticating
          return;
        }
        pending = new ArrayList<>(List.of(request));
      }
      try {
        auth.execute(() -> authenticate(request));
      } catch (RejectedExecutionException e) {
        close(Status.UNAVAILABLE.withDescription("the control plane is stopping"), null);
      }
    }

    private void authenticate(Q first) {
      Node node = nodeOf.apply(first);
      String nodeId = node.getId();
      ProxyAuthenticator.Accepted c;
      try {
        c = check(tokens, node);
      } catch (TokenRejected e) {
        live.refused(nodeId, e.getMessage());
        close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), null);
        return;
      } catch (RuntimeException e) {
        live.refused(nodeId, "authentication failed: " + e);
        close(Status.UNAVAILABLE.withDescription("the control plane could not check the dataplane token: " + e.getMessage()), null);
        return;
      }
      synchronized (this) {
        if (closed) {
          return;
        }
        id = proxyId(nodeId);
        token = tokens.get(0);
        inline = inlineDataplane(node);
        accepted = c;
        requests = open.apply(responses);
        for (Q r : pending) {
          requests.onNext(r);
        }
        pending = null;
      }
      live.opened(this);
    }

    @Override
    public void onError(Throwable t) {
      StreamObserver<Q> r;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        r = requests;
      }
      live.closed(this);
      if (r != null) {
        r.onError(t);
      }
    }

    @Override
    public void onCompleted() {
      StreamObserver<Q> r;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        r = requests;
      }
      live.closed(this);
      if (r != null) {
        r.onCompleted();
      } else {
        responses.onCompleted();
      }
    }

    /**
     * Ends the stream from the server side: Envoy gets {@code status}; the discovery server sees a
     * cancellation and forgets the stream.
     */
    @Override
    public void close(Status status, String why) {
      StreamObserver<Q> r;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        r = requests;
        responses.onError(status.asRuntimeException());
        if (r != null) {
          r.onError(Status.CANCELLED.withDescription(why == null ? status.getDescription() : why).asRuntimeException());
        }
      }
      live.closed(this);
    }

    @Override
    public synchronized ProxyId id() {
      return id;
    }

    @Override
    public synchronized String token() {
      return token;
    }

    @Override
    public synchronized Optional<String> inline() {
      return inline;
    }

    @Override
    public ProxyAuthenticator.Accepted accepted() {
      return accepted;
    }
  }
}
