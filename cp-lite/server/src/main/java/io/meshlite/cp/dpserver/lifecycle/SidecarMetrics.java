package io.meshlite.cp.dpserver.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The application metrics kuma-dp merges with Envoy's ({@code
 * kumaSidecarConfiguration.metrics.aggregate} of the bootstrap response), read from the
 * Dataplane's Kuma 2.x {@code metrics} section:
 *
 * <pre>
 * metrics:
 *   type: prometheus
 *   conf:
 *     aggregate:
 *     - {name: app, port: 8080, path: /metrics, address: 127.0.0.1, enabled: true}
 * </pre>
 *
 * Entries with {@code enabled: false} or without a valid port are left out; {@code path} defaults
 * to {@code /metrics} and {@code address} to the Dataplane's {@code networking.address}, as Kuma.
 */
public final class SidecarMetrics {
  private SidecarMetrics() {}

  /**
   * The aggregate list for a bootstrap request: from the Dataplane it carries, else from the
   * stored one. Never fails: a problem yields an empty list (the bootstrap is validated elsewhere).
   */
  public static List<BootstrapResponse.Aggregate> forBootstrap(ResourceStore store, BootstrapRequest req) {
    try {
      Optional<Resource> dp = req.dataplaneResource() != null && !req.dataplaneResource().isBlank()
          ? Optional.of(ResourceCodec.parse(req.dataplaneResource()))
          : store.get(ResourceKey.of(ResourceTypes.DATAPLANE, req.mesh(), req.name()));
      return dp.map(r -> aggregates(r.spec())).orElse(List.of());
    } catch (RuntimeException e) { // ValidationException included
      return List.of();
    }
  }

  /** The aggregate entries of a Dataplane spec. */
  public static List<BootstrapResponse.Aggregate> aggregates(ObjectNode spec) {
    JsonNode list = spec.path("metrics").path("conf").path("aggregate");
    if (!list.isArray()) {
      return List.of();
    }
    String dpAddress = spec.path("networking").path("address").asText("127.0.0.1");
    List<BootstrapResponse.Aggregate> out = new ArrayList<>();
    for (JsonNode a : list) {
      if (!a.isObject() || !a.path("enabled").asBoolean(true)) {
        continue;
      }
      int port = a.path("port").asInt(0);
      if (port <= 0 || port > 65535) {
        continue;
      }
      String path = a.path("path").asText("");
      String address = a.path("address").asText("");
      out.add(new BootstrapResponse.Aggregate(
          a.path("name").asText(""),
          address.isEmpty() ? dpAddress : address,
          port,
          path.isEmpty() ? "/metrics" : path));
    }
    return List.copyOf(out);
  }
}
