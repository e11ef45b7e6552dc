package io.meshlite.api.bootstrap;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The JSON kuma-dp posts to {@code /bootstrap}, with Kuma 2.14's field names (including the
 * inverted {@code appProbeProxyDisabled}). {@code adminPort} is our extension carrying kuma-dp's
 * {@code --admin-port}; Kuma's control plane ignores unknown fields, so it stays compatible.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BootstrapRequest(
    String mesh,
    String name,
    String proxyType,
    String dataplaneToken,
    String dataplaneTokenPath,
    String dataplaneResource,
    Version version,
    String caCert,
    Map<String, String> dynamicMetadata,
    Integer dnsPort,
    Integer readinessPort,
    Boolean appProbeProxyDisabled,
    String operatingSystem,
    List<String> features,
    Resources resources,
    String workdir,
    MetricsResources metricsResources,
    String systemCaPath,
    Boolean ipv6Enabled,
    Integer adminPort) {

  /** Versions of kuma-dp and Envoy. */
  public record Version(KumaDp kumaDp, Envoy envoy) {}

  /** kuma-dp's own version. */
  public record KumaDp(String version, String gitTag, String gitCommit, String buildDate) {}

  /** The Envoy version as read from {@code envoy --version}. */
  public record Envoy(String version, String build, boolean kumaDpCompatible) {}

  /** Resource limits of the proxy. */
  public record Resources(long maxHeapSizeBytes) {}

  /** TLS material for the metrics listener. */
  public record MetricsResources(String certPath, String keyPath) {}
}
