package io.meshlite.cp.xds.generator;

import java.time.Instant;
import java.util.Objects;

/**
 * A proxy's workload certificate, issued by the control plane in memory and delivered over SDS as
 * {@code identity_cert:secret:<mesh>}.
 *
 * @param certificateChainPem the certificate (then any intermediate CA certificates), PEM
 * @param privateKeyPem its private key, PEM
 * @param notAfter when it expires
 * @param renewAt when it is replaced (4/5 of its lifetime)
 * @param serial its serial number, hex
 */
public record ProxyIdentity(
    String certificateChainPem, String privateKeyPem, Instant notAfter, Instant renewAt, String serial) {
  public ProxyIdentity {
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(renewAt, "renewAt");
    Objects.requireNonNull(serial, "serial");
  }

  @Override
  public String toString() {
    return "ProxyIdentity[serial=" + serial + ", notAfter=" + notAfter + ", renewAt=" + renewAt + "]";
  }
}
