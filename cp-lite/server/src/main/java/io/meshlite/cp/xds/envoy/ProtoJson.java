package io.meshlite.cp.xds.envoy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.grpc_credential.v3.FileBasedMetadataConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.regex_engines.v3.GoogleRE2;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.meshlite.api.resource.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints Envoy protos as JSON (lowerCamel field names, {@code @type} for {@code Any}), the form
 * Envoy reads from a bootstrap file and Kuma shows in its goldens. Every type packed into an
 * {@code Any} by our generators must be registered here, or printing fails loudly.
 */
public final class ProtoJson {
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(Bootstrap.getDescriptor())
          .add(Listener.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(Secret.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(FileAccessLog.getDescriptor())
          .add(GoogleRE2.getDescriptor())
          // mesh mTLS and traffic permissions
          .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
          // The bootstrap's TLS to the control plane and its reloadable token (io.meshlite.cp.tls).
          .add(FileBasedMetadataConfig.getDescriptor())
          .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);

  private ProtoJson() {}

  /** The registry of every {@code Any} payload we generate. */
  public static JsonFormat.TypeRegistry types() {
    return TYPES;
  }

  /** The message as pretty JSON. */
  public static String print(MessageOrBuilder m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** The message as a JSON tree with object keys sorted, for stable comparison and hashing. */
  public static JsonNode canonicalTree(MessageOrBuilder m) {
    try {
      return sorted(Json.mapper().readTree(print(m)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a copy of the tree with object keys sorted recursively. */
  public static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      n.properties().forEach(entries::add);
      entries.sort(Map.Entry.comparingByKey());
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      entries.forEach(e -> o.set(e.getKey(), sorted(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> a.add(sorted(x)));
      return a;
    }
    return n;
  }
}
