package io.meshlite.api.bootstrap;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The JSON answer to {@code POST /bootstrap} with {@code Accept: application/json}: the Envoy
 * bootstrap (base64 on the wire) and the sidecar settings kuma-dp needs.
 *
 * @param bootstrap the Envoy bootstrap document (YAML/JSON bytes)
 * @param kumaSidecarConfiguration settings for kuma-dp itself
 */
public record BootstrapResponse(byte[] bootstrap, KumaSidecarConfiguration kumaSidecarConfiguration) {

  /** Settings for kuma-dp. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record KumaSidecarConfiguration(Networking networking, Metrics metrics) {}

  /** The Dataplane's address. */
  public record Networking(String address) {}

  /** Application metrics to merge with Envoy's. */
  public record Metrics(List<Aggregate> aggregate) {}

  /** One application metrics endpoint. */
  public record Aggregate(String name, String address, int port, String path) {}
}
