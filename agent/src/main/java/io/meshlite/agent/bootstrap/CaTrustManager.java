package io.meshlite.agent.bootstrap;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trust in the control plane's own CA ({@code --ca-cert-file}, {@code KUMA_CONTROL_PLANE_CA_CERT}): the
 * chain is checked by the JDK's PKIX trust manager over that CA alone (signatures, validity, key usage,
 * the TLS server's extended key usage, algorithm constraints), and the host name by {@link HostNames}.
 *
 * <p>Why not the JDK's "HTTPS" endpoint identification: before comparing names it asks whether the chain
 * ends at one of the JDK's public CAs (for its wildcard rules), and answering that loads and parses the
 * whole {@code cacerts} file, ≈ 150 certificates: in kuma-dp's cold JVM a seventh of the handshake, on
 * the path to the bootstrap request, and memory held for the process's life. With a CA of the user's
 * own the answer is known. Without one (the system trust store) kuma-dp keeps the JDK's check.
 */
final class CaTrustManager extends X509ExtendedTrustManager {
  private final X509TrustManager pkix;

  CaTrustManager(X509TrustManager pkix) {
    this.pkix = pkix;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, authType, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain, authType, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, authType, null);
  }

  private void check(X509Certificate[] chain, String authType, SSLSession handshake) throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    String host = handshake == null ? null : handshake.getPeerHost();
    if (host == null || host.isEmpty()) {
      throw new CertificateException("No name matching the control plane's host found: the host is not known");
    }
    HostNames.verify(host, chain[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("kuma-dp does not accept TLS clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("kuma-dp does not accept TLS clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("kuma-dp does not accept TLS clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
