package io.meshlite.cp.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The TLS identity of the control plane's servers (dp-server 5678, HTTPS API 5682): the server key
 * and certificate chain, and the CA that clients must trust.
 *
 * @param key the server's private key
 * @param chain the server certificate first, then any intermediates
 * @param ca the certificates clients should trust (the CA that signed the chain)
 * @param source where it came from, for logs ({@code generated}, {@code store} or the file names)
 */
public record CpTls(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> ca, String source) {
  public CpTls {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    ca = List.copyOf(ca);
    Objects.requireNonNull(source, "source");
    if (chain.isEmpty() || ca.isEmpty()) {
      throw new IllegalArgumentException("a TLS identity needs a certificate and a CA");
    }
  }

  /** The CA certificates as PEM: what {@code kuma-dp --ca-cert-file} and Envoy trust. */
  public String caPem() {
    return Pem.certificates(ca);
  }

  /** The names the server certificate is valid for. */
  public Set<String> names() {
    return Certificates.subjectAltNames(chain.get(0));
  }

  @Override
  public String toString() {
    return "CpTls[source=" + source + ", names=" + names() + "]";
  }
}
