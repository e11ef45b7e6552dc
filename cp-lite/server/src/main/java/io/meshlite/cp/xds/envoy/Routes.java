package io.meshlite.cp.xds.envoy;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;

/** Envoy route configurations. */
public final class Routes {
  /** The header Kuma uses to carry the caller's tags; never forwarded to the application. */
  public static final String KUMA_TAGS_HEADER = "x-kuma-tags";

  private Routes() {}

  /**
   * A route configuration with one virtual host (domains {@code *}) sending every request to one
   * cluster, with no route timeout and the {@code x-kuma-tags} header removed.
   */
  public static RouteConfiguration allToCluster(String name, String virtualHost, String cluster) {
    Route route =
        Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Protos.seconds(0)))
            .build();
    return RouteConfiguration.newBuilder()
        .setName(name)
        .setValidateClusters(BoolValue.of(false))
        .addRequestHeadersToRemove(KUMA_TAGS_HEADER)
        .addVirtualHosts(VirtualHost.newBuilder().setName(virtualHost).addDomains("*").addRoutes(route))
        .build();
  }
}
