package io.meshlite.agent.bootstrap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a server certificate names the host kuma-dp connected to, by the rules of RFC 6125 / RFC 2818
 * that the JDK's "HTTPS" endpoint identification applies: an IP address must be one of the certificate's
 * iPAddress names; a host name must match one of its dNSName names (case-insensitively, a trailing dot
 * ignored, a {@code *} only as the whole leftmost label of a name with at least three labels), or its most
 * specific common name when it has no dNSName at all. The messages are the JDK's, so {@link TlsFailure}
 * reads both alike.
 */
final class HostNames {
  private static final int DNS = 2;
  private static final int IP = 7;

  private HostNames() {}

  /** @throws CertificateException when {@code cert} does not name {@code host} */
  static void verify(String host, X509Certificate cert) throws CertificateException {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("cannot read the certificate's subject alternative names: " + e.getMessage(), e);
    }
    verify(host, sans == null ? List.of() : sans, () -> commonName(cert.getSubjectX500Principal().getName()));
  }

  /**
   * @param sans subject alternative names as {@link X509Certificate#getSubjectAlternativeNames} lists them
   * @param commonName the subject's most specific CN, or null; asked for only when a host name meets a
   *     certificate without dNSNames
   */
  static void verify(String host, Collection<List<?>> sans, Supplier<String> commonName) throws CertificateException {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress ip = literal(h);
    if (ip != null) {
      for (List<?> san : sans) {
        if ((Integer) san.get(0) == IP && ip.equals(literal((String) san.get(1)))) {
          return;
        }
      }
      throw new CertificateException("No subject alternative names matching IP address " + h + " found");
    }
    String name = normalize(h);
    List<String> dnsNames = new ArrayList<>();
    for (List<?> san : sans) {
      if ((Integer) san.get(0) == DNS) {
        dnsNames.add((String) san.get(1));
      }
    }
    String cn = dnsNames.isEmpty() ? commonName.get() : null;
    if (cn != null) {
      if (matches(name, cn)) {
        return;
      }
      throw new CertificateException("No name matching " + h + " found");
    }
    for (String pattern : dnsNames) {
      if (matches(name, pattern)) {
        return;
      }
    }
    throw new CertificateException("No subject alternative DNS name matching " + h + " found.");
  }

  /** A host name against one name of the certificate. */
  static boolean matches(String host, String pattern) {
    String p = normalize(pattern);
    if (!p.startsWith("*.")) {
      return !p.contains("*") && p.equals(host);
    }
    String suffix = p.substring(1); // ".example.com"
    if (suffix.contains("*") || suffix.chars().filter(c -> c == '.').count() < 2) {
      return false; // "*.com" or a second wildcard: never
    }
    int dot = host.indexOf('.');
    return dot > 0 && host.substring(dot).equals(suffix);
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** The address an IP literal stands for, or null for a host name (never a DNS lookup). */
  private static InetAddress literal(String s) {
    try {
      if (s.indexOf(':') >= 0) {
        return InetAddress.getByName(s); // IPv6: parsed as a literal or refused, never resolved
      }
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] octets = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (!parts[i].matches("[0-9]{1,3}") || Integer.parseInt(parts[i]) > 255) {
          return null;
        }
        octets[i] = (byte) Integer.parseInt(parts[i]);
      }
      return InetAddress.getByAddress(octets);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String commonName(String rfc2253) {
    try {
      List<Rdn> rdns = new LdapName(rfc2253).getRdns(); // least specific first
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdns.get(i).getValue());
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
