package io.meshlite.cp.xds.generator;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.cp.policy.trafficpermission.InboundPermission;
import io.meshlite.cp.policy.trafficpermission.Rbac;
import io.meshlite.cp.xds.envoy.Filters;

/**
 * Inbound half of mesh mTLS, as Kuma 2.14's inbound generator and MeshTrafficPermission plugin
 * shape it:
 *
 * <ul>
 *   <li>STRICT: the listener's one filter chain terminates TLS (client certificate required, SAN
 *       under {@code spiffe://<mesh>/}) and starts with RBAC from the traffic permissions;
 *   <li>PERMISSIVE: a {@code tls_inspector} plus three chains: {@code raw_buffer} (plaintext, no
 *       RBAC), {@code tls} without ALPN {@code kuma} (the application's own TLS, passed through) and
 *       {@code tls} with ALPN {@code kuma} (mesh mTLS with RBAC).
 * </ul>
 *
 * <p>RBAC goes into the HTTP connection manager for MeshTrafficPermission rules on HTTP inbounds;
 * otherwise it is a network filter in front of the chain. HTTP inbounds also get the client's
 * certificate URIs in {@code x-forwarded-client-cert}.
 */
final class MtlsInboundConfigurer {
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private MtlsInboundConfigurer() {}

  /** Returns the listener of {@code inbound}, secured if the mesh has mTLS on. */
  static Listener configure(MeshContext mesh, Dataplane proxy, Inbound inbound, Listener listener) {
    if (mesh.security().mtls().isEmpty() || listener.getFilterChainsCount() != 1) {
      return listener;
    }
    MeshSecurity.Mtls mtls = mesh.security().mtls().get();
    FilterChain plain = listener.getFilterChains(0);
    InboundPermission permission = mesh.security().permissions().forInbound(proxy.name(), inbound);
    FilterChain secured = secure(mesh.name(), listener.getName(), plain, permission);
    Listener.Builder b = listener.toBuilder().clearFilterChains();
    if (mtls.mode() == MtlsSpec.Mode.STRICT) {
      return b.addFilterChains(secured).build();
    }
    return b.addListenerFilters(
            ListenerFilter.newBuilder()
                .setName(TLS_INSPECTOR)
                .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())))
        .addFilterChains(plain.toBuilder().setFilterChainMatch(match("raw_buffer", false)))
        .addFilterChains(plain.toBuilder().setFilterChainMatch(match("tls", false)))
        .addFilterChains(secured.toBuilder().setFilterChainMatch(match("tls", true)))
        .build();
  }

  private static FilterChainMatch match(String transport, boolean kumaAlpn) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder().setTransportProtocol(transport);
    if (kumaAlpn) {
      m.addApplicationProtocols(TlsContexts.ALPN_KUMA);
    }
    return m.build();
  }

  private static FilterChain secure(String mesh, String listenerName, FilterChain plain, InboundPermission permission) {
    Rbac.Rules rules = Rbac.rules(mesh, permission);
    FilterChain.Builder chain = plain.toBuilder().clearFilters();
    boolean httpRbac = permission instanceof InboundPermission.MeshRules;
    boolean http = plain.getFiltersList().stream().anyMatch(f -> f.getName().equals(Filters.HTTP_CONNECTION_MANAGER));
    if (!(http && httpRbac)) {
      chain.addFilters(Rbac.networkFilter(listenerName, rules));
    }
    for (Filter f : plain.getFiltersList()) {
      if (f.getName().equals(Filters.HTTP_CONNECTION_MANAGER)) {
        HttpConnectionManager.Builder hcm = unpack(f).toBuilder();
        hcm.setForwardClientCertDetails(HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
            .setSetCurrentClientCertDetails(
                HttpConnectionManager.SetCurrentClientCertDetails.newBuilder().setUri(true));
        if (httpRbac) {
          hcm.addHttpFilters(0, Rbac.httpFilter(rules));
        }
        chain.addFilters(f.toBuilder().setTypedConfig(Any.pack(hcm.build())));
      } else {
        chain.addFilters(f);
      }
    }
    return chain.setTransportSocket(TlsContexts.downstream(mesh)).build();
  }

  private static HttpConnectionManager unpack(Filter f) {
    try {
      return f.getTypedConfig().unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("filter " + f.getName() + " does not hold an HttpConnectionManager", e);
    }
  }
}
