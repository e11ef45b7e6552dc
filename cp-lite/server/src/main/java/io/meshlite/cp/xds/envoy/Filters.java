package io.meshlite.cp.xds.envoy;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;

/** Network filters of listener filter chains. */
public final class Filters {
  public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  public static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  public static final String ROUTER = "envoy.filters.http.router";

  private Filters() {}

  /** A TCP proxy to one cluster. */
  public static Filter tcpProxy(String statPrefix, String cluster) {
    TcpProxy tcp = TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build();
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Protos.any(tcp)).build();
  }

  /** An HTTP connection manager with an inline route configuration and only the router filter. */
  public static Filter httpConnectionManager(String statPrefix, RouteConfiguration routes) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRouteConfig(routes)
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName(ROUTER)
                    .setTypedConfig(Protos.any(Router.getDefaultInstance())))
            .build();
    return Filter.newBuilder().setName(HTTP_CONNECTION_MANAGER).setTypedConfig(Protos.any(hcm)).build();
  }
}
