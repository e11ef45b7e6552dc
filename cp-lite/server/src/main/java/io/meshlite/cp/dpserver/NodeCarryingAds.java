package io.meshlite.cp.dpserver;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;

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
    StreamObserver<DiscoveryRequest> requests = delegate.streamAggregatedResources(responses);
    return new StreamObserver<>() {
      // gRPC delivers one stream's messages one at a time, in order.
      private Node node;

      @Override
      public void onNext(DiscoveryRequest r) {
        if (r.hasNode()) {
          node = r.getNode();
          requests.onNext(r);
        } else {
          requests.onNext(node == null ? r : r.toBuilder().setNode(node).build());
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

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    StreamObserver<DeltaDiscoveryRequest> requests = delegate.deltaAggregatedResources(responses);
    return new StreamObserver<>() {
      // gRPC delivers one stream's messages one at a time, in order.
      private Node node;

      @Override
      public void onNext(DeltaDiscoveryRequest r) {
        if (r.hasNode()) {
          node = r.getNode();
          requests.onNext(r);
        } else {
          requests.onNext(node == null ? r : r.toBuilder().setNode(node).build());
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
