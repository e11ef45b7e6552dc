package io.meshlite.cp.xds.envoy;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;

/** Envoy socket addresses. */
public final class Addresses {
  private Addresses() {}

  /** A TCP address {@code host:port}; host is an IP or, for DNS clusters, a hostname. */
  public static Address socket(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }
}
