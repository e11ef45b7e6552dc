package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCarryingAdsTest {
  private final List<DiscoveryRequest> seen = new ArrayList<>();
  private final List<DeltaDiscoveryRequest> seenDelta = new ArrayList<>();

  private final AggregatedDiscoveryServiceImplBase recording =
      new AggregatedDiscoveryServiceImplBase() {
        @Override
        public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
          return new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryRequest r) {
              seen.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          };
        }

        @Override
        public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(StreamObserver<DeltaDiscoveryResponse> out) {
          return new StreamObserver<>() {
            @Override
            public void onNext(DeltaDiscoveryRequest r) {
              seenDelta.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          };
        }
      };

  @Test
  void laterRequestsOfADeltaStreamCarryTheFirstRequestsNode() {
    Node node = Node.newBuilder().setId("default.web-1").setCluster("web").build();
    NodeCarryingAds ads = new NodeCarryingAds(recording);
    StreamObserver<DeltaDiscoveryRequest> stream = ads.deltaAggregatedResources(null);

    stream.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl("cds").build());
    stream.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl("lds").setResponseNonce("1").build());
    ads.deltaAggregatedResources(null).onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl("eds").build());

    assertThat(seenDelta).extracting(DeltaDiscoveryRequest::getTypeUrl).containsExactly("cds", "lds", "eds");
    assertThat(seenDelta.get(0).getNode()).isEqualTo(node);
    assertThat(seenDelta.get(1).getNode()).isEqualTo(node);
    assertThat(seenDelta.get(1).getResponseNonce()).isEqualTo("1");
    assertThat(seenDelta.get(2).hasNode()).as("another stream").isFalse();
  }

  @Test
  void laterRequestsOfAStreamCarryTheFirstRequestsNode() {
    Node node = Node.newBuilder().setId("default.web-1").setCluster("web").build();
    StreamObserver<DiscoveryRequest> stream = new NodeCarryingAds(recording).streamAggregatedResources(null);

    stream.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl("cds").build());
    stream.onNext(DiscoveryRequest.newBuilder().setTypeUrl("lds").build());

    assertThat(seen).extracting(DiscoveryRequest::getNode).containsExactly(node, node);
    assertThat(seen).extracting(DiscoveryRequest::getTypeUrl).containsExactly("cds", "lds");
  }

  @Test
  void streamsDoNotShareNodes() {
    NodeCarryingAds ads = new NodeCarryingAds(recording);
    ads.streamAggregatedResources(null)
        .onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("default.a")).build());

    ads.streamAggregatedResources(null).onNext(DiscoveryRequest.newBuilder().setTypeUrl("lds").build());

    assertThat(seen.get(1).hasNode()).isFalse();
  }
}
