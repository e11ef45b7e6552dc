package io.meshlite.cp.dpserver;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Wraps java-control-plane's ADS service so that every request of a stream, SotW or delta, carries
 * the node of the stream's first request. Envoy sends the node only once ({@code
 * setNodeOnFirstMessageOnly: true}, as Kuma's bootstrap asks), but the snapshot cache picks the
 * node group from each request, and the stream callbacks ({@link AdsStreamCallbacks}) identify the
 * proxy by it; without this, requests after the first would watch an empty group and never be
 * answered.
 */
final class NodeCarryingAds extends AggregatedDiscoveryServiceImplBase {
  private final AggregatedDiscoveryServiceImplBase delegate;

  NodeCarryingAds(AggregatedDiscoveryServiceImplBase delegate) {
    this.delegate = delegate;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
    return carryingNode(
        delegate.streamAggregatedResources(responses),
        DiscoveryRequest::hasNode,
        DiscoveryRequest::getNode,
        (r, node) -> r.toBuilder().setNode(node).build());
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return carryingNode(
        delegate.deltaAggregatedResources(responses),
        DeltaDiscoveryRequest::hasNode,
        DeltaDiscoveryRequest::getNode,
        (r, node) -> r.toBuilder().setNode(node).build());
  }

  /** Passes a stream's requests on, giving each one without a node the node its stream last sent. */
  private static <R> StreamObserver<R> carryingNode(
      StreamObserver<R> requests,
      Predicate<R> hasNode,
      Function<R, Node> nodeOf,
      BiFunction<R, Node, R> withNode) {
    return new StreamObserver<>() {
      // gRPC delivers one stream's messages one at a time, in order.
      private Node node;

      @Override
      public void onNext(R r) {
        if (hasNode.test(r)) {
          node = nodeOf.apply(r);
          requests.onNext(r);
        } else {
          requests.onNext(node == null ? r : withNode.apply(r, node));
        }
      }

      @Override
      public void onError(Throwable t) {
        requests.onError(t);
      }

      @Override
      public void onCompleted() {
        requests.onCompleted();
      }
    };
  }
}
