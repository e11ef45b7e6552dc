package io.meshlite.cp.tls;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the control plane's TLS identity comes from.
 *
 * @param certFile the server certificate chain (PEM), or empty to generate one; {@code
 *     dpServer.tlsCertFile}, else {@code general.tlsCertFile}
 * @param keyFile its key (PEM); {@code dpServer.tlsKeyFile}, else {@code general.tlsKeyFile}
 * @param caFile the CA to hand to clients with a configured certificate; {@code general.tlsCaFile};
 *     empty = the last certificate of the chain
 * @param names the names a generated certificate must carry (localhost, loopback addresses, the
 *     host name and addresses, and {@code general.tlsExtraSans})
 * @param workDir where a generated CA is also kept ({@code kuma-cp.crt}, the CA for users, and
 *     {@code kuma-cp-ca.key}), so a restart with the memory store keeps it; {@code general.workDir}
 */
public record CpTlsSettings(
    Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> caFile, List<String> names, Optional<Path> workDir) {

  public CpTlsSettings {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(caFile, "caFile");
    names = List.copyOf(new LinkedHashSet<>(names.stream().map(Certificates::canonical).toList()));
    Objects.requireNonNull(workDir, "workDir");
    if (certFile.isPresent() != keyFile.isPresent()) {
      throw new IllegalArgumentException(
          "dpServer.tlsCertFile and dpServer.tlsKeyFile (or general.tlsCertFile and general.tlsKeyFile) must be set together");
    }
  }

  /**
   * The names a generated certificate carries, as Kuma's autoconfiguration picks them: {@code
   * localhost}, 127.0.0.1, ::1, the host name and every address of this host, plus {@code extra}.
   */
  public static List<String> defaultNames(List<String> extra) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (!host.isBlank()) {
        names.add(host);
      }
    } catch (UnknownHostException e) {
      // no host name: the loopback names and addresses still work
    }
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet6Address v6 && (v6.isLinkLocalAddress() || v6.getScopeId() != 0)) {
            continue; // link-local addresses need a zone and are never dialled by name
          }
          names.add(Certificates.canonical(a.getHostAddress()));
        }
      }
    } catch (SocketException e) {
      // interfaces unknown: the loopback names still work
    }
    List<String> out = new ArrayList<>(names);
    extra.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }
}
