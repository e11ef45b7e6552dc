package io.meshlite.cp.tokens.dp;

import io.meshlite.cp.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The credential checks this control plane can apply to proxies, by {@code
 * dpServer.authn.dpProxy.type}, and the one place that picks one: {@code dpToken} is always
 * there; {@code serviceAccountToken} only when kuma-cp talks to a Kubernetes API server (the
 * Kubernetes store); {@code none} means no check.
 */
public final class ProxyAuthenticators {
  /** No authentication of proxies. */
  public static final String NONE = "none";

  /** Dataplane-token JWTs (universal's default). */
  public static final String DP_TOKEN = "dpToken";

  /** The pod's ServiceAccount token, checked with a TokenReview (Kubernetes' default). */
  public static final String SERVICE_ACCOUNT_TOKEN = "serviceAccountToken";

  private final Map<String, ProxyAuthenticator> available;

  private ProxyAuthenticators(Map<String, ProxyAuthenticator> available) {
    this.available = available;
  }

  /**
   * @param available the checks this control plane can run; the first one per type wins
   */
  public static ProxyAuthenticators of(List<ProxyAuthenticator> available) {
    Map<String, ProxyAuthenticator> m = new LinkedHashMap<>();
    for (ProxyAuthenticator a : available) {
      m.putIfAbsent(a.type(), a);
    }
    return new ProxyAuthenticators(m);
  }

  /**
   * The check for {@code type}; empty for {@code none}.
   *
   * @throws ConfigException naming the key, the value and what this control plane offers when the
   *     type is unknown or not available here
   */
  public Optional<ProxyAuthenticator> select(String type) {
    if (NONE.equals(type)) {
      return Optional.empty();
    }
    ProxyAuthenticator a = available.get(type);
    if (a != null) {
      return Optional.of(a);
    }
    List<String> offered = new ArrayList<>(available.keySet());
    offered.add(NONE);
    String why =
        SERVICE_ACCOUNT_TOKEN.equals(type)
            ? " needs the Kubernetes store (KUMA_ENVIRONMENT=kubernetes or KUMA_STORE_TYPE=kubernetes)"
            : " is not a known type";
    throw new ConfigException(
        "dpServer.authn.dpProxy.type (KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE)=\"" + type + "\"" + why
            + " (expected here: " + String.join(", ", offered) + ")");
  }
}
