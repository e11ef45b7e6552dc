package io.meshlite.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailureTest {
  private static final URI CP = URI.create("https://127.0.0.1:5678");

  private static SSLHandshakeException handshake(String message) {
    return new SSLHandshakeException(message);
  }

  @Test
  void aCertificateFromAnotherCaNamesTheCaFile() {
    TlsFailure f =
        TlsFailure.of(
            handshake("PKIX path building failed: unable to find valid certification path to requested target"),
            CP,
            "/etc/kuma/ca.pem");

    assertThat(f.getMessage()).startsWith("TLS: the control plane's certificate is not signed by the CA in /etc/kuma/ca.pem");
  }

  @Test
  void withoutACaTheFixIsToPassOne() {
    TlsFailure f = TlsFailure.of(handshake("PKIX path building failed"), CP, "");

    assertThat(f.getMessage())
        .startsWith("TLS: the control plane's certificate is not trusted by this host's CAs: pass the control plane's CA with --ca-cert-file");
  }

  @Test
  void aNameMismatchSaysWhichName() {
    TlsFailure f =
        TlsFailure.of(handshake("No subject alternative names matching IP address 127.0.0.1 found"), CP, "/ca.pem");

    assertThat(f.getMessage()).startsWith("TLS: the control plane's certificate is not valid for 127.0.0.1");
  }
}
