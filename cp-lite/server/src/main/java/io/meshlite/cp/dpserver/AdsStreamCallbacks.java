package io.meshlite.cp.dpserver;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;

/**
 * ADS stream callbacks that treat state-of-the-world and incremental (delta) streams alike, and a
 * stream that closed cleanly like one that failed.
 *
 * <p>Both kinds of request are reduced to an {@link AdsRequest}. Every request carries the node:
 * Envoy sends it only on a stream's first request, and {@link NodeCarryingAds} copies it onto the
 * later ones before the discovery server (and so these callbacks) sees them. An implementation
 * that wrote only {@code onV3StreamRequest} would silently ignore delta streams; this interface
 * makes that impossible.
 */
public interface AdsStreamCallbacks extends DiscoveryServerCallbacks {
  /**
   * One request of either kind.
   *
   * @param node the stream's node (copied from its first request when Envoy left it out)
   * @param typeUrl the resource type asked for
   * @param responseNonce empty for a subscription, else the nonce of the response it answers
   * @param nack whether it answers a response with an error (a NACK)
   * @param delta whether the stream is an incremental one
   */
  record AdsRequest(Node node, String typeUrl, String responseNonce, boolean nack, boolean delta) {
    public static AdsRequest of(DiscoveryRequest r) {
      return new AdsRequest(r.getNode(), r.getTypeUrl(), r.getResponseNonce(), r.hasErrorDetail(), false);
    }

    public static AdsRequest of(DeltaDiscoveryRequest r) {
      return new AdsRequest(r.getNode(), r.getTypeUrl(), r.getResponseNonce(), r.hasErrorDetail(), true);
    }

    /** Whether it answers a response (an ACK or a NACK) rather than subscribing. */
    public boolean answersResponse() {
      return !responseNonce.isEmpty();
    }
  }

  /** A request arrived on the ADS stream {@code streamId}; throwing refuses the stream. */
  void request(long streamId, AdsRequest request) throws RequestException;

  /** A response of {@code typeUrl} was sent on the stream {@code streamId}. */
  default void responded(long streamId, String typeUrl) {}

  /** The ADS stream {@code streamId} has ended, cleanly or not. */
  void streamEnded(long streamId);

  @Override
  default void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
    request(streamId, AdsRequest.of(request));
  }

  @Override
  default void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
    request(streamId, AdsRequest.of(request));
  }

  @Override
  default void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    responded(streamId, response.getTypeUrl());
  }

  @Override
  default void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    responded(streamId, response.getTypeUrl());
  }

  @Override
  default void onStreamClose(long streamId, String typeUrl) {
    streamEnded(streamId);
  }

  @Override
  default void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    streamEnded(streamId);
  }
}
