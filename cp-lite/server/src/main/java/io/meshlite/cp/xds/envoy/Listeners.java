package io.meshlite.cp.xds.envoy;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.Map;

/** Envoy listeners. */
public final class Listeners {
  /** Listener metadata key under which Kuma puts the inbound or outbound tags. */
  public static final String TAGS_METADATA = "io.kuma.tags";

  private Listeners() {}

  /**
   * A listener bound to {@code address} with one filter chain.
   *
   * @param tags written to the {@code io.kuma.tags} listener metadata, as Kuma does
   */
  public static Listener listener(
      String name,
      Address address,
      TrafficDirection direction,
      Map<String, String> tags,
      Filter... filters) {
    FilterChain.Builder chain = FilterChain.newBuilder();
    for (Filter f : filters) {
      chain.addFilters(f);
    }
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address)
        .setTrafficDirection(direction)
        .setMetadata(Protos.metadata(TAGS_METADATA, tags))
        .addFilterChains(chain)
        .build();
  }
}
