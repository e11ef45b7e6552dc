package io.meshlite.cp.xds.generator;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshlite.cp.xds.envoy.Clusters;

/**
 * The mesh mTLS transport sockets of Kuma 2.14: certificates come over SDS on the ADS stream
 * ({@code identity_cert:secret:<mesh>} and {@code mesh_ca:secret:<mesh>}), peers are checked by
 * their SPIFFE URI SAN, and clients offer ALPN {@code kuma}.
 */
public final class TlsContexts {
  /** Name of the TLS transport socket. */
  public static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /** The ALPN protocol a mesh client offers, so a PERMISSIVE inbound can tell mesh TLS apart. */
  public static final String ALPN_KUMA = "kuma";

  private TlsContexts() {}

  /** {@code identity_cert:secret:<mesh>}: the proxy's own certificate and key. */
  public static String identitySecret(String mesh) {
    return "identity_cert:secret:" + mesh;
  }

  /** {@code mesh_ca:secret:<mesh>}: the CA certificates peers are validated against. */
  public static String caSecret(String mesh) {
    return "mesh_ca:secret:" + mesh;
  }

  /** The SNI a client sends: {@code <service>{mesh=<mesh>}}. */
  public static String sni(String service, String mesh) {
    return service + "{mesh=" + mesh + "}";
  }

  /** Server side: requires a client certificate from the mesh CA with a SAN under {@code spiffe://<mesh>/}. */
  public static TransportSocket downstream(String mesh) {
    DownstreamTlsContext ctx =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common(mesh, StringMatcher.newBuilder().setPrefix("spiffe://" + mesh + "/").build()))
            .setRequireClientCertificate(BoolValue.of(true))
            .build();
    return TransportSocket.newBuilder().setName(TRANSPORT_SOCKET).setTypedConfig(Any.pack(ctx)).build();
  }

  /** Client side: presents the proxy's certificate and accepts only {@code spiffe://<mesh>/<service>}. */
  public static TransportSocket upstream(String mesh, String service) {
    UpstreamTlsContext ctx =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                common(mesh, StringMatcher.newBuilder().setExact("spiffe://" + mesh + "/" + service).build())
                    .toBuilder()
                    .addAlpnProtocols(ALPN_KUMA))
            .setSni(sni(service, mesh))
            .build();
    return TransportSocket.newBuilder().setName(TRANSPORT_SOCKET).setTypedConfig(Any.pack(ctx)).build();
  }

  private static CommonTlsContext common(String mesh, StringMatcher san) {
    return CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(sds(identitySecret(mesh)))
        .setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder()
                        .addMatchTypedSubjectAltNames(
                            SubjectAltNameMatcher.newBuilder()
                                .setSanType(SubjectAltNameMatcher.SanType.URI)
                                .setMatcher(san)))
                .setValidationContextSdsSecretConfig(sds(caSecret(mesh))))
        .build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Clusters.ads()).build();
  }
}
