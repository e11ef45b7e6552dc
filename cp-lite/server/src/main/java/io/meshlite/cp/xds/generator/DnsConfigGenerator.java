package io.meshlite.cp.xds.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshlite.api.mesh.DataplaneSpec.Outbound;
import io.meshlite.api.resource.Json;
import io.meshlite.cp.vip.Ipv4Cidr;
import io.meshlite.cp.xds.envoy.Filters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The name → VIP table for kuma-dp's DNS stub, served the way Kuma 2.14 serves it (kuma-dp-spec
 * §6.2): Envoy listens on the Unix socket {@code <workdir>/kuma-mesh-metric-config.sock}
 * (listener {@code _kuma:dynamicconfig}) and answers {@code GET /dns} directly with {@code
 * {"records":[{"name":"backend.mesh","ips":["240.0.0.1"]}],"ttl":30}} (records sorted by name),
 * an {@code Etag} header holding the hex SHA-256 of the body, and 304 for a matching {@code
 * If-None-Match}. kuma-dp polls it every second.
 *
 * <p>Emitted for transparently proxied Dataplanes whose proxy reported its work directory, unless
 * it runs with {@code feature-bind-outbounds}. Only names of services the proxy has a VIP outbound
 * for are listed; a dual-stack proxy on a host with IPv6 also gets the IPv4-mapped IPv6 form of
 * each VIP, as Kuma.
 */
final class DnsConfigGenerator implements ResourceGenerator {
  static final String LISTENER = "_kuma:dynamicconfig";
  static final String PATH = "/dns";
  static final String SOCKET_BASE = "kuma-mesh-metric-config";
  static final int TTL_SECONDS = 30;

  /** Unix socket paths are limited; Kuma cuts {@code <workdir>/<base>} to this many characters. */
  private static final int MAX_SOCKET_PATH = 98;

  @Override
  public void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out) {
    ProxyMetadata md = proxy.metadata();
    if (!TransparentProxy.enabled(proxy)
        || md.workDir().isEmpty()
        || md.hasFeature(ProxyMetadata.FEATURE_BIND_OUTBOUNDS)) {
      return;
    }
    boolean ipv6 = TransparentProxy.dualStack(proxy) && md.ipv6Enabled();
    TreeMap<String, List<String>> records = new TreeMap<>();
    for (Outbound ob : TransparentProxy.vipOutbounds(mesh, proxy)) {
      List<String> ips = ipv6 ? List.of(ob.address(), Ipv4Cidr.toMappedIpv6(ob.address())) : List.of(ob.address());
      for (String name : TransparentProxy.domains(ob.service())) {
        records.put(name, ips);
      }
    }
    out.add(listener(socketPath(md.workDir()), body(records)));
  }

  /** {@code <workdir>/kuma-mesh-metric-config.sock}, shortened as Kuma does for long work dirs. */
  static String socketPath(String workDir) {
    String base = workDir.endsWith("/") ? workDir + SOCKET_BASE : workDir + "/" + SOCKET_BASE;
    if (base.length() > MAX_SOCKET_PATH) {
      base = base.substring(0, MAX_SOCKET_PATH);
    }
    return base + ".sock";
  }

  /** The JSON body kuma-dp reads: records sorted by name, then the TTL. */
  static String body(Map<String, List<String>> records) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode list = root.putArray("records");
    new TreeMap<>(records)
        .forEach(
            (name, ips) -> {
              ObjectNode r = list.addObject();
              r.put("name", name);
              ArrayNode a = r.putArray("ips");
              ips.forEach(a::add);
            });
    root.put("ttl", TTL_SECONDS);
    try {
      return Json.mapper().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hex SHA-256 of the body: the {@code Etag}. */
  static String etag(String body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Listener listener(String socketPath, String body) {
    String etag = etag(body);
    Route notModified =
        Route.newBuilder()
            .setMatch(
                RouteMatch.newBuilder()
                    .setPath(PATH)
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("If-None-Match")
                            .setStringMatch(StringMatcher.newBuilder().setExact(etag))))
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(304))
            .build();
    Route current =
        Route.newBuilder()
            .setName(LISTENER + ":" + PATH)
            .setMatch(RouteMatch.newBuilder().setPath(PATH))
            .addResponseHeadersToAdd(
                HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey("Etag").setValue(etag)))
            .setDirectResponse(
                DirectResponseAction.newBuilder()
                    .setStatus(200)
                    .setBody(DataSource.newBuilder().setInlineString(body)))
            .build();
    RouteConfiguration routes =
        RouteConfiguration.newBuilder()
            .setName(LISTENER)
            .addVirtualHosts(
                VirtualHost.newBuilder().setName(LISTENER).addDomains("*").addRoutes(notModified).addRoutes(current))
            .setMaxDirectResponseBodySizeBytes(UInt32Value.of(body.getBytes(StandardCharsets.UTF_8).length))
            .build();
    return Listener.newBuilder()
        .setName(LISTENER)
        .setAddress(Address.newBuilder().setPipe(Pipe.newBuilder().setPath(socketPath)))
        .addFilterChains(
            FilterChain.newBuilder().addFilters(Filters.httpConnectionManager(LISTENER.replace(':', '_'), routes)))
        .build();
  }
}
