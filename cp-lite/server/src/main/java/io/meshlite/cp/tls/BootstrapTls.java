package io.meshlite.cp.tls;

import com.google.common.net.InetAddresses;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc.CallCredentials.MetadataCredentialsFromPlugin;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelArgs;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc.ChannelCredentials;
import io.envoyproxy.envoy.config.core.v3.GrpcService.GoogleGrpc.SslCredentials;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.grpc_credential.v3.FileBasedMetadataConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshlite.cp.xds.envoy.Protos;
import java.nio.charset.StandardCharsets;

/**
 * The TLS parts of the Envoy bootstrap, as Kuma generates them (kuma-dp-spec §2.6): the ADS
 * cluster talks TLS with SNI = the xDS host and validates the control plane against the static
 * secret {@value #VALIDATION_CONTEXT} (trusted CA, SAN = the xDS host as DNS name or IP address).
 * In the reloadable form the ADS gRPC service is Envoy's Google gRPC client with the file-based
 * metadata credential: Envoy reads the token file for every new stream, so a changed token is used
 * at the next reconnect without restarting Envoy.
 */
public final class BootstrapTls {
  /** The static cluster Envoy reaches ADS through (Kuma 2.14's name). */
  public static final String ADS_CLUSTER = "ads_cluster";

  /** The static secret with the CA that validates the control plane. */
  public static final String VALIDATION_CONTEXT = "cp_validation_ctx";

  /** Envoy's call credential that reads a header value from a file for every call. */
  public static final String FILE_CREDENTIALS = "envoy.grpc_credentials.file_based_metadata";

  private static final int MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

  private BootstrapTls() {}

  /**
   * Turns on TLS for the ADS cluster.
   *
   * @param xdsHost the host Envoy dials (SNI and the SAN it expects)
   * @param caPem the CA Envoy trusts
   */
  public static Bootstrap withTls(Bootstrap bootstrap, String xdsHost, String caPem) {
    String host = unbracket(xdsHost);
    UpstreamTlsContext tls =
        UpstreamTlsContext.newBuilder()
            .setSni(host)
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .setTlsParams(
                        TlsParameters.newBuilder().setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2))
                    .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName(VALIDATION_CONTEXT)))
            .build();
    TransportSocket socket =
        TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Protos.any(tls)).build();
    Bootstrap.Builder b = bootstrap.toBuilder();
    Bootstrap.StaticResources.Builder statics = b.getStaticResourcesBuilder();
    for (Cluster.Builder c : statics.getClustersBuilderList()) {
      if (c.getName().equals(ADS_CLUSTER)) {
        c.setTransportSocket(socket);
      }
    }
    statics.addSecrets(validationContext(host, caPem));
    return b.build();
  }

  /**
   * Kuma's reloadable-token form: the ADS gRPC service becomes Google gRPC over TLS to {@code
   * xdsHost:xdsPort} with the token read from {@code tokenFile} for every stream (no {@code
   * initialMetadata}); the ADS cluster is dropped because nothing uses it.
   */
  public static Bootstrap withReloadableToken(
      Bootstrap bootstrap, String xdsHost, int xdsPort, String caPem, String tokenFile) {
    String host = unbracket(xdsHost);
    String target = (InetAddresses.isInetAddress(host) && host.contains(":") ? "[" + host + "]" : host) + ":" + xdsPort;
    FileBasedMetadataConfig credential =
        FileBasedMetadataConfig.newBuilder().setSecretData(DataSource.newBuilder().setFilename(tokenFile)).build();
    GoogleGrpc google =
        GoogleGrpc.newBuilder()
            .setTargetUri(target)
            .setStatPrefix("ads")
            .setChannelCredentials(
                ChannelCredentials.newBuilder()
                    .setSslCredentials(SslCredentials.newBuilder().setRootCerts(inline(caPem))))
            .addCallCredentials(
                CallCredentials.newBuilder()
                    .setFromPlugin(
                        MetadataCredentialsFromPlugin.newBuilder()
                            .setName(FILE_CREDENTIALS)
                            .setTypedConfig(Protos.any(credential))))
            .setCredentialsFactoryName(FILE_CREDENTIALS)
            .setChannelArgs(
                ChannelArgs.newBuilder()
                    .putArgs("grpc.keepalive_time_ms", intArg(10_000))
                    .putArgs("grpc.keepalive_timeout_ms", intArg(30_000))
                    .putArgs("grpc.http2.max_pings_without_data", intArg(0))
                    .putArgs("grpc.max_receive_message_length", intArg(MAX_RECEIVE_BYTES)))
            .build();
    Bootstrap.Builder b = bootstrap.toBuilder();
    ApiConfigSource.Builder ads = b.getDynamicResourcesBuilder().getAdsConfigBuilder();
    ads.clearGrpcServices().addGrpcServices(GrpcService.newBuilder().setGoogleGrpc(google));
    Bootstrap.StaticResources.Builder statics = b.getStaticResourcesBuilder();
    for (int i = statics.getClustersCount() - 1; i >= 0; i--) {
      if (statics.getClusters(i).getName().equals(ADS_CLUSTER)) {
        statics.removeClusters(i);
      }
    }
    return b.build();
  }

  private static Secret validationContext(String host, String caPem) {
    return Secret.newBuilder()
        .setName(VALIDATION_CONTEXT)
        .setValidationContext(
            CertificateValidationContext.newBuilder()
                .setTrustedCa(inline(caPem))
                .addMatchTypedSubjectAltNames(san(SubjectAltNameMatcher.SanType.DNS, host))
                .addMatchTypedSubjectAltNames(san(SubjectAltNameMatcher.SanType.IP_ADDRESS, host)))
        .build();
  }

  private static SubjectAltNameMatcher san(SubjectAltNameMatcher.SanType type, String host) {
    return SubjectAltNameMatcher.newBuilder()
        .setSanType(type)
        .setMatcher(StringMatcher.newBuilder().setExact(host))
        .build();
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(pem, StandardCharsets.US_ASCII)).build();
  }

  private static ChannelArgs.Value intArg(long v) {
    return ChannelArgs.Value.newBuilder().setIntValue(v).build();
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
