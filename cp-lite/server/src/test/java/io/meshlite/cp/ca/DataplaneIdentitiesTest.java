package io.meshlite.cp.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.cp.policy.trafficpermission.TrafficPermissions;
import io.meshlite.cp.store.MutableClock;
import io.meshlite.cp.xds.generator.Dataplane;
import io.meshlite.cp.xds.generator.MeshContext;
import io.meshlite.cp.xds.generator.MeshSecurity;
import io.meshlite.cp.xds.generator.ProxyIdentity;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataplaneIdentitiesTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final KeyPair CA_KEYS = Certificates.rsa(2048);
  private static final X509Certificate CA = Certificates.root("demo", CA_KEYS, NOW, Duration.ofDays(10));

  private final MutableClock clock = new MutableClock(NOW);
  private final DataplaneIdentities identities = new DataplaneIdentities(clock);

  private static MeshContext mesh(Optional<MeshSecurity.Mtls> mtls, Resource... dataplanes) {
    Resource mesh = ResourceCodec.parse("type: Mesh\nname: demo\n");
    return MeshContext.build(mesh, List.of(dataplanes)).withSecurity(new MeshSecurity(mtls, TrafficPermissions.NONE));
  }

  private static Optional<MeshSecurity.Mtls> mtls(Duration lifetime, X509Certificate ca, KeyPair keys) {
    return Optional.of(
        new MeshSecurity.Mtls("ca-1", MtlsSpec.Mode.STRICT, lifetime, List.of(ca), keys.getPrivate(), Pem.encode(List.of(ca))));
  }

  private static Resource dp(String version) {
    return ResourceCodec.parse(
        """
        type: Dataplane
        mesh: demo
        name: backend-1
        networking:
          address: 10.0.0.1
          inbound:
          - port: 80
            tags: {kuma.io/service: backend, version: %s, kuma.io/zone: z1}
          - port: 81
            tags: {kuma.io/service: backend-admin, version: %s}
        """
            .formatted(version, version));
  }

  @Test
  void issuesACertificateWithKumaSansSignedByTheMeshCa() throws Exception {
    MeshContext ctx = mesh(mtls(Duration.ofHours(24), CA, CA_KEYS), dp("v1"));
    Dataplane proxy = ctx.dataplane("backend-1").orElseThrow();

    ProxyIdentity id = identities.identity(ctx, proxy).orElseThrow();

    X509Certificate cert = Pem.certificates(id.certificateChainPem()).get(0);
    cert.verify(CA.getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName()).isEmpty();
    assertThat(cert.getIssuerX500Principal()).isEqualTo(CA.getSubjectX500Principal());
    assertThat(cert.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
        .containsExactly(
            "spiffe://demo/backend",
            "spiffe://demo/backend-admin",
            "kuma://kuma.io/service/backend",
            "kuma://kuma.io/service/backend-admin",
            "kuma://kuma.io/zone/z1",
            "kuma://version/v1");
    assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.17");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minusSeconds(10));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
    assertThat(id.renewAt()).isEqualTo(NOW.plus(Duration.ofMinutes(24 * 60 * 4 / 5)));
    assertThat(Certificates.matches(cert, Pem.privateKey(id.privateKeyPem()))).isTrue();
    assertThat(id.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void keepsTheCertificateUntilFourFifthsOfItsLifetime() {
    MeshContext ctx = mesh(mtls(Duration.ofHours(24), CA, CA_KEYS), dp("v1"));
    Dataplane proxy = ctx.dataplane("backend-1").orElseThrow();
    ProxyIdentity first = identities.identity(ctx, proxy).orElseThrow();

    clock.advance(Duration.ofHours(19));
    assertThat(identities.identity(ctx, proxy)).contains(first);

    clock.advance(Duration.ofMinutes(13)); // 19h13m > 19.2h
    ProxyIdentity second = identities.identity(ctx, proxy).orElseThrow();
    assertThat(second.serial()).isNotEqualTo(first.serial());
    assertThat(identities.issuedTotal()).isEqualTo(2);
  }

  @Test
  void aTagOrCaChangeMeansANewCertificateAndMtlsOffMeansNone() {
    MeshContext ctx = mesh(mtls(Duration.ofHours(24), CA, CA_KEYS), dp("v1"));
    ProxyIdentity first = identities.identity(ctx, ctx.dataplane("backend-1").orElseThrow()).orElseThrow();

    MeshContext retagged = mesh(mtls(Duration.ofHours(24), CA, CA_KEYS), dp("v2"));
    ProxyIdentity second = identities.identity(retagged, retagged.dataplane("backend-1").orElseThrow()).orElseThrow();
    assertThat(second.serial()).isNotEqualTo(first.serial());
    assertThat(second.certificateChainPem()).isNotEqualTo(first.certificateChainPem());

    KeyPair otherKeys = Certificates.rsa(2048);
    X509Certificate otherCa = Certificates.root("demo", otherKeys, NOW, Duration.ofDays(10));
    MeshContext newCa = mesh(mtls(Duration.ofHours(24), otherCa, otherKeys), dp("v2"));
    ProxyIdentity third = identities.identity(newCa, newCa.dataplane("backend-1").orElseThrow()).orElseThrow();
    assertThat(Pem.certificates(third.certificateChainPem()).get(0).getIssuerX500Principal())
        .isEqualTo(otherCa.getSubjectX500Principal());
    assertThat(third.serial()).isNotEqualTo(second.serial());

    MeshContext off = mesh(Optional.empty(), dp("v2"));
    assertThat(identities.identity(off, off.dataplane("backend-1").orElseThrow())).isEmpty();
  }
}
