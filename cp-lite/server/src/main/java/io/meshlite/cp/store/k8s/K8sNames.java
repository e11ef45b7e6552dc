package io.meshlite.cp.store.k8s;

import io.meshlite.api.k8s.KumaCrd;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a Kuma resource lives in the cluster, and which Kubernetes names and label values are
 * valid. Kuma's rule for namespaced types: the core name {@code <name>.<namespace>} is the object
 * {@code <name>} in namespace {@code <namespace>}. Names that do not have that form (or are not
 * valid Kubernetes names, e.g. {@code B_upper}) go to the system namespace under a generated name
 * {@code <sanitised>-<hash of mesh and name>}, and the core name is kept in the {@link
 * #NAME_ANNOTATION} annotation, so every core key has exactly one location that a real API server
 * accepts.
 */
final class K8sNames {
  /** Holds the core name when it cannot be derived from the object's name and namespace. */
  static final String NAME_ANNOTATION = "meshlite.io/name";

  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS_LABEL = Pattern.compile(LABEL);
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private K8sNames() {}

  /**
   * One object's address.
   *
   * @param namespace the namespace, or null for cluster-scoped objects
   * @param name the object's name
   * @param generated true when the name is generated, so the core name is kept in an annotation
   */
  record Location(String namespace, String name, boolean generated) {}

  /** The location of the resource {@code (mesh, coreName)} of type {@code crd}. */
  static Location locate(KumaCrd crd, String mesh, String coreName, String systemNamespace) {
    if (crd.nativeSecret()) {
      return validName(coreName)
          ? new Location(systemNamespace, coreName, false)
          : new Location(systemNamespace, generated(crd, mesh, coreName), true);
    }
    if (!crd.namespaced()) {
      return validName(coreName)
          ? new Location(null, coreName, false)
          : new Location(null, generated(crd, "", coreName), true);
    }
    int dot = coreName.lastIndexOf('.');
    if (dot > 0) {
      String name = coreName.substring(0, dot);
      String ns = coreName.substring(dot + 1);
      if (validName(name) && validNamespace(ns)) {
        return new Location(ns, name, false);
      }
    }
    return new Location(systemNamespace, generated(crd, mesh, coreName), true);
  }

  /**
   * Where a Secret or GlobalSecret goes when its plain name is taken by another one: Kuma keeps
   * both kinds, of every mesh, as Secrets named after the resource in one namespace, so {@code
   * Secret default/x} and {@code GlobalSecret x} would collide. The second one gets the generated
   * name. Empty for every other type (their locations never collide).
   */
  static java.util.Optional<Location> fallback(KumaCrd crd, String mesh, String coreName, String systemNamespace) {
    if (!crd.nativeSecret() || !validName(coreName)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new Location(systemNamespace, generated(crd, mesh, coreName), true));
  }

  /** The core name of an object without a name annotation: Kuma's {@code <name>.<namespace>}. */
  static String coreName(KumaCrd crd, String name, String namespace) {
    return crd.namespaced() && !crd.nativeSecret() ? name + "." + namespace : name;
  }

  /** A DNS-1123 subdomain of at most 253 characters (object names). */
  static boolean validName(String s) {
    return s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
  }

  /** A DNS-1123 label of at most 63 characters (namespace names). */
  static boolean validNamespace(String s) {
    return s.length() <= 63 && DNS_LABEL.matcher(s).matches();
  }

  /** A label key Kubernetes accepts: {@code [prefix/]name}. */
  static boolean validLabelKey(String key) {
    int slash = key.lastIndexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (prefix != null && (prefix.isEmpty() || !validName(prefix))) {
      return false;
    }
    return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
  }

  /** A label value Kubernetes accepts (possibly empty). */
  static boolean validLabelValue(String value) {
    return value.length() <= 63 && LABEL_VALUE.matcher(value).matches();
  }

  /** {@code <sanitised name>-<8 hex digits of sha256(kind, mesh, name)>}, a valid object name. */
  static String generated(KumaCrd crd, String mesh, String coreName) {
    StringBuilder b = new StringBuilder();
    for (char c : coreName.toLowerCase(Locale.ROOT).toCharArray()) {
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
    }
    String s = b.length() > 40 ? b.substring(0, 40) : b.toString();
    s = s.replaceAll("^-+", "").replaceAll("-+$", "");
    if (s.isEmpty()) {
      s = "r";
    }
    return s + "-" + hash(crd.kind() + "\u0000" + mesh + "\u0000" + coreName);
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
