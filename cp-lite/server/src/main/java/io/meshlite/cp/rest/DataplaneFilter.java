package io.meshlite.cp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Dataplane list filters of Kuma's REST API: {@code tag=key:value} (repeatable; a Dataplane
 * matches when one of its inbounds, or its gateway, has the tag with a value containing {@code
 * value}) and {@code gateway=true|false|builtin|delegated}.
 *
 * @param tags wanted tag key → substring of its value
 * @param gateway {@code ""} (any), {@code true}, {@code false}, {@code builtin} or {@code delegated}
 */
record DataplaneFilter(Map<String, String> tags, String gateway) implements Predicate<Resource> {
  static final DataplaneFilter NONE = new DataplaneFilter(Map.of(), "");

  DataplaneFilter {
    tags = Map.copyOf(tags);
  }

  /**
   * Reads the query parameters.
   *
   * @throws ValidationException if {@code gateway} has another value
   */
  static DataplaneFilter parse(List<String> tagParams, String gatewayParam) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String t : tagParams == null ? List.<String>of() : tagParams) {
      int colon = t.indexOf(':');
      if (colon < 0) {
        tags.put(t, "");
      } else {
        tags.put(t.substring(0, colon), t.substring(colon + 1));
      }
    }
    String gw = gatewayParam == null ? "" : gatewayParam.trim().toLowerCase(Locale.ROOT);
    if (!List.of("", "true", "false", "builtin", "delegated").contains(gw)) {
      throw new ValidationException(
          "Resource is not valid",
          List.of(new Violation("gateway", "must be one of: true, false, builtin, delegated")));
    }
    return new DataplaneFilter(tags, gw);
  }

  @Override
  public boolean test(Resource dp) {
    JsonNode net = dp.spec().path("networking");
    JsonNode gw = net.path("gateway");
    boolean isGateway = gw.isObject();
    String gwType = gw.path("type").asText("DELEGATED").toLowerCase(Locale.ROOT);
    boolean gatewayOk =
        switch (gateway) {
          case "true" -> isGateway;
          case "false" -> !isGateway;
          case "builtin", "delegated" -> isGateway && gwType.equals(gateway);
          default -> true;
        };
    if (!gatewayOk) {
      return false;
    }
    List<JsonNode> tagSets = new ArrayList<>();
    net.path("inbound").forEach(in -> tagSets.add(in.path("tags")));
    if (isGateway) {
      tagSets.add(gw.path("tags"));
    }
    for (Map.Entry<String, String> want : tags.entrySet()) {
      boolean found = false;
      for (JsonNode ts : tagSets) {
        JsonNode v = ts.get(want.getKey());
        if (v != null && v.asText().contains(want.getValue())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
