package io.meshlite.agent.bootstrap;

import java.io.IOException;
import java.io.Serial;
import java.net.URI;
import javax.net.ssl.SSLException;

/**
 * A TLS handshake with the control plane that cannot succeed by retrying (an untrusted or
 * mismatched certificate, or no TLS at all), with one line that names the problem and the fix.
 */
final class TlsFailure extends IOException {
  @Serial private static final long serialVersionUID = 1L;

  TlsFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param caSource where the trusted CA came from (a file, {@code KUMA_CONTROL_PLANE_CA_CERT}, or
   *     "" for the system trust store)
   */
  static TlsFailure of(SSLException e, URI uri, String caSource) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null && all.length() < 4000; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getMessage()).append(' ');
    }
    String m = all.toString();
    String where = " (kuma-cp writes its CA to <general.workDir>/kuma-cp.crt, by default ~/.kuma/kuma-cp.crt)";
    if (m.contains("PKIX") || m.contains("certification path") || m.contains("signature check failed")) {
      return new TlsFailure(
          caSource.isEmpty()
              ? "TLS: the control plane's certificate is not trusted by this host's CAs: pass the control plane's CA with"
                  + " --ca-cert-file" + where
              : "TLS: the control plane's certificate is not signed by the CA in " + caSource + where,
          e);
    }
    if (m.contains("No subject alternative") || m.contains("No name matching")) {
      return new TlsFailure(
          "TLS: the control plane's certificate is not valid for " + uri.getHost() + ": use an address it was issued for"
              + " in --cp-address, or add this one to the control plane's KUMA_GENERAL_TLS_EXTRA_SANS",
          e);
    }
    if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
      return new TlsFailure(
          "TLS: the control plane at " + uri.getScheme() + "://" + uri.getRawAuthority() + " does not speak TLS: use an"
              + " http:// address in --cp-address",
          e);
    }
    return new TlsFailure("TLS handshake with the control plane at " + uri.getRawAuthority() + " failed: " + m.strip(), e);
  }
}
