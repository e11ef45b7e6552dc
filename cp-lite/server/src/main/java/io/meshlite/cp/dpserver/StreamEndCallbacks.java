package io.meshlite.cp.dpserver;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;

/**
 * ADS stream callbacks for components that react to a stream ending the same way whether it closed
 * cleanly or with an error, and that do not look at delta requests (the reconciler decides whether
 * delta xDS is served).
 */
public interface StreamEndCallbacks extends DiscoveryServerCallbacks {
  /** The ADS stream {@code streamId} has ended, cleanly or not. */
  void streamEnded(long streamId);

  @Override
  default void onStreamClose(long streamId, String typeUrl) {
    streamEnded(streamId);
  }

  @Override
  default void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    streamEnded(streamId);
  }

  @Override
  default void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {}
}
