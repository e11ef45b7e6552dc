package io.meshlite.cp.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;

/** Kuma's pod and namespace annotations and labels, and how their values are read. */
final class Annotations {
  static final String SIDECAR_INJECTION = "kuma.io/sidecar-injection";
  static final String SIDECAR_INJECTED = "kuma.io/sidecar-injected";
  static final String SIDECAR_UID = "kuma.io/sidecar-uid";
  static final String MESH = "kuma.io/mesh";
  static final String TRANSPARENT_PROXYING = "kuma.io/transparent-proxying";
  static final String TP_INBOUND_PORT = "kuma.io/transparent-proxying-inbound-port";
  static final String TP_OUTBOUND_PORT = "kuma.io/transparent-proxying-outbound-port";
  static final String TP_IP_FAMILY_MODE = "kuma.io/transparent-proxying-ip-family-mode";
  static final String TP_REACHABLE_SERVICES = "kuma.io/transparent-proxying-reachable-services";
  static final String DIRECT_ACCESS_SERVICES = "kuma.io/direct-access-services";
  static final String ENVOY_ADMIN_PORT = "kuma.io/envoy-admin-port";
  /** A pod volume holding the ServiceAccount token for the sidecar (when none is auto-mounted). */
  static final String SERVICE_ACCOUNT_TOKEN_VOLUME = "kuma.io/service-account-token-volume";
  static final String INIT_FIRST = "kuma.io/init-first";
  static final String EXCLUDE_INBOUND_PORTS = "traffic.kuma.io/exclude-inbound-ports";
  static final String EXCLUDE_OUTBOUND_PORTS = "traffic.kuma.io/exclude-outbound-ports";
  static final String EXCLUDE_INBOUND_IPS = "traffic.kuma.io/exclude-inbound-ips";
  static final String EXCLUDE_OUTBOUND_IPS = "traffic.kuma.io/exclude-outbound-ips";
  static final String EXCLUDE_OUTBOUND_PORTS_FOR_UIDS = "traffic.kuma.io/exclude-outbound-ports-for-uids";
  static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

  private Annotations() {}

  /** A string entry of a {@code labels} or {@code annotations} object. */
  static Optional<String> get(JsonNode metadata, String section, String key) {
    if (metadata == null) {
      return Optional.empty();
    }
    JsonNode v = metadata.path(section).get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  static Optional<String> label(JsonNode metadata, String key) {
    return get(metadata, "labels", key);
  }

  static Optional<String> annotation(JsonNode metadata, String key) {
    return get(metadata, "annotations", key);
  }

  /**
   * Kuma's on/off values: {@code enabled}/{@code true}/{@code yes} and {@code
   * disabled}/{@code false}/{@code no}.
   *
   * @throws IllegalArgumentException for anything else, naming the key
   */
  static boolean enabled(String key, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "enabled", "true", "yes" -> true;
      case "disabled", "false", "no" -> false;
      default ->
          throw new IllegalArgumentException(
              key + ": \"" + value + "\" is not valid (expected: enabled or disabled)");
    };
  }
}
