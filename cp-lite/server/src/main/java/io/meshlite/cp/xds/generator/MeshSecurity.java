package io.meshlite.cp.xds.generator;

import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.cp.policy.trafficpermission.TrafficPermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The security inputs of a mesh: its mTLS settings with the CA (when mTLS is on) and its traffic
 * permissions. Loaded by the control plane with the mesh context ({@code
 * io.meshlite.cp.ca.MtlsSupport}); generators only read it.
 *
 * @param mtls present when the mesh has an enabled mTLS backend
 * @param permissions the mesh's MeshTrafficPermissions and TrafficPermissions
 */
public record MeshSecurity(Optional<Mtls> mtls, TrafficPermissions permissions) {
  /** No mTLS, no permissions. */
  public static final MeshSecurity NONE = new MeshSecurity(Optional.empty(), TrafficPermissions.NONE);

  public MeshSecurity {
    Objects.requireNonNull(mtls, "mtls");
    Objects.requireNonNull(permissions, "permissions");
  }

  /**
   * The enabled mTLS backend and its CA, in memory only.
   *
   * @param backend the backend name
   * @param mode STRICT or PERMISSIVE
   * @param dpCertLifetime lifetime of the dataplane certificates
   * @param caChain the CA certificate, then any certificates above it
   * @param caKey the CA's signing key (never leaves the control plane)
   * @param caPem the trust bundle sent to proxies ({@code mesh_ca:secret:<mesh>})
   */
  public record Mtls(
      String backend,
      MtlsSpec.Mode mode,
      Duration dpCertLifetime,
      List<X509Certificate> caChain,
      PrivateKey caKey,
      String caPem) {
    public Mtls {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(dpCertLifetime, "dpCertLifetime");
      caChain = List.copyOf(caChain);
      Objects.requireNonNull(caKey, "caKey");
      Objects.requireNonNull(caPem, "caPem");
      if (caChain.isEmpty()) {
        throw new IllegalArgumentException("the CA chain is empty");
      }
    }

    @Override
    public String toString() {
      return "Mtls[backend=" + backend + ", mode=" + mode + ", dpCertLifetime=" + dpCertLifetime
          + ", ca=" + caChain.get(0).getSubjectX500Principal() + "]";
    }
  }
}
