package io.meshlite.agent.dns;

import java.util.List;

/**
 * The DNS names Kuma gives a {@code kuma.io/service} VIP (Kuma 2.x, legacy per-service VIPs from
 * the {@code 240.0.0.0/4} allocator, {@code KUMA_DNS_SERVER_DOMAIN=mesh}).
 *
 * <p>Kuma does not rewrite the service name into a valid host name. It publishes the name as it is
 * ({@code <service>.<domain>}) and, when the service contains underscores, a second name with every
 * {@code _} replaced by a dot, both pointing at the same VIP. So the Kubernetes-style service
 * {@code backend_kuma-demo_svc_8080} answers as {@code backend_kuma-demo_svc_8080.mesh} and as
 * {@code backend.kuma-demo.svc.8080.mesh} (kumahq/kuma {@code pkg/xds/topology}, function {@code
 * VIPOutbounds}: {@code service + "." + domain} and {@code strings.ReplaceAll(service, "_", ".") +
 * "." + domain}). Underscores are legal in DNS labels on the wire (RFC 2181 §11); only host name
 * syntax forbids them, hence the dotted alias. No other character is changed.
 */
public final class KumaDnsNames {

  /** Kuma's default DNS domain ({@code KUMA_DNS_SERVER_DOMAIN}). */
  public static final String DEFAULT_DOMAIN = "mesh";

  private KumaDnsNames() {}

  /** The names of a service in the {@value #DEFAULT_DOMAIN} domain. */
  public static List<String> forService(String service) {
    return forService(service, DEFAULT_DOMAIN);
  }

  /**
   * The names of a service: {@code <service>.<domain>}, then the dotted form if it differs.
   *
   * @throws IllegalArgumentException if the service or the domain is empty
   */
  public static List<String> forService(String service, String domain) {
    if (service == null || service.isEmpty()) {
      throw new IllegalArgumentException(
          "service: '" + service + "' (expected: a kuma.io/service value)");
    }
    if (domain == null || domain.isEmpty()) {
      throw new IllegalArgumentException(
          "domain: '" + domain + "' (expected: a DNS domain such as mesh)");
    }
    String verbatim = service + "." + domain;
    String dotted = service.replace('_', '.') + "." + domain;
    return dotted.equals(verbatim) ? List.of(verbatim) : List.of(verbatim, dotted);
  }
}
