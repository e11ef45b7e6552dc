package io.meshlite.api.policy;

import static io.meshlite.api.validation.Violations.index;
import static io.meshlite.api.validation.Violations.key;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.validation.Violations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Typed view of a legacy {@code TrafficPermission} (Kuma 2.14): clients matching any of {@code
 * sources} may reach the inbounds matching {@code destinations}. A tag value {@code *} matches any
 * value of that tag.
 *
 * @param sources the {@code match} tag maps of {@code sources[]}
 * @param destinations the {@code match} tag maps of {@code destinations[]}
 */
public record TrafficPermissionSpec(List<Map<String, String>> sources, List<Map<String, String>> destinations) {

  /** The wildcard tag value. */
  public static final String ANY = "*";

  public TrafficPermissionSpec {
    sources = sources.stream().map(TrafficPermissionSpec::sorted).toList();
    destinations = destinations.stream().map(TrafficPermissionSpec::sorted).toList();
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /**
   * Parses and validates the inline fields of a TrafficPermission.
   *
   * @throws io.meshlite.api.validation.ValidationException listing every problem
   */
  public static TrafficPermissionSpec parse(ObjectNode spec) {
    Violations v = new Violations();
    List<Map<String, String>> sources = selectors(spec.get("sources"), "sources", v);
    List<Map<String, String>> destinations = selectors(spec.get("destinations"), "destinations", v);
    v.throwIfAny("Resource is not valid");
    return new TrafficPermissionSpec(sources, destinations);
  }

  private static List<Map<String, String>> selectors(JsonNode n, String p, Violations v) {
    List<Map<String, String>> out = new ArrayList<>();
    if (n == null || n.isNull() || (n.isArray() && n.isEmpty())) {
      v.add(p, "must have at least one element");
      return out;
    }
    if (!n.isArray()) {
      v.add(p, "must be a list");
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String mp = index(p, i) + ".match";
      JsonNode match = n.get(i).get("match");
      if (match == null || match.isNull() || (match.isObject() && match.isEmpty())) {
        v.add(mp, "must have at least one tag");
        continue;
      }
      if (!match.isObject()) {
        v.add(mp, "must be a mapping of strings");
        continue;
      }
      Map<String, String> tags = new TreeMap<>();
      match
          .properties()
          .forEach(
              e -> {
                if (e.getKey().isEmpty()) {
                  v.add(mp, "tag name cannot be empty");
                } else if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
                  v.add(key(mp, e.getKey()), "tag value cannot be empty");
                } else {
                  tags.put(e.getKey(), e.getValue().asText());
                }
              });
      out.add(tags);
    }
    return out;
  }
}
