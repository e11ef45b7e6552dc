package io.meshlite.cp.xds.generator;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The SDS secrets of an mTLS proxy: {@code identity_cert:secret:<mesh>} (its certificate chain and
 * key) and {@code mesh_ca:secret:<mesh>} (the mesh CA). Built per proxy, because the identity is
 * the proxy's own; adds nothing when the mesh has mTLS off.
 */
public final class SecretsGenerator implements ResourceGenerator {
  private final ProxyIdentity identity;

  /** @param identity the proxy's current certificate */
  public SecretsGenerator(ProxyIdentity identity) {
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  @Override
  public void generate(MeshContext mesh, Dataplane proxy, ResourceSet.Builder out) {
    mesh.security()
        .mtls()
        .ifPresent(
            mtls -> {
              out.add(
                  Secret.newBuilder()
                      .setName(TlsContexts.identitySecret(mesh.name()))
                      .setTlsCertificate(
                          TlsCertificate.newBuilder()
                              .setCertificateChain(inline(identity.certificateChainPem()))
                              .setPrivateKey(inline(identity.privateKeyPem())))
                      .build());
              out.add(
                  Secret.newBuilder()
                      .setName(TlsContexts.caSecret(mesh.name()))
                      .setValidationContext(
                          CertificateValidationContext.newBuilder().setTrustedCa(inline(mtls.caPem())))
                      .build());
            });
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(pem, StandardCharsets.US_ASCII)).build();
  }
}
