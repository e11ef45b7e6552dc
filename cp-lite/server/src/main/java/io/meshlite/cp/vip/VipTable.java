package io.meshlite.cp.vip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.mesh.Tags;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.Resource;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The VIPs of one mesh as stored in its {@code kuma-<mesh>-dns-vips} Config, in Kuma's format: the
 * {@code config} field holds JSON text keyed by {@code "0:<service>"} with {@code {"address": ..,
 * "outbounds": [{"Port":0,"TagSet":{"kuma.io/service": ..},"Origin":"service"}]}}. Kuma's older
 * flat form {@code {"<service>": "<ip>"}} is read too. Entries of other kinds (Kuma's {@code
 * "1:<host>"} for external services) are kept as they are and their addresses stay taken.
 *
 * <p>We add {@code "unusedSince"} (RFC 3339) to a service entry whose service has left the mesh:
 * its VIP stays reserved for a grace period before it is released (Kuma ignores the field).
 *
 * @param services the service VIPs by service name
 * @param others entries of other kinds, as stored, by key
 */
public record VipTable(SortedMap<String, Vip> services, SortedMap<String, JsonNode> others) {
  static final String SERVICE_PREFIX = "0:";

  /** An empty table. */
  public static final VipTable EMPTY = new VipTable(new TreeMap<>(), new TreeMap<>());

  /**
   * One service's VIP.
   *
   * @param address the IPv4 VIP
   * @param unusedSince when the service was last seen gone; empty while it exists
   */
  public record Vip(String address, Optional<Instant> unusedSince) {
    public Vip {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(unusedSince, "unusedSince");
    }

    /** A VIP of a service that exists. */
    public static Vip inUse(String address) {
      return new Vip(address, Optional.empty());
    }
  }

  public VipTable {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    TreeMap<String, JsonNode> o = new TreeMap<>();
    others.forEach((k, v) -> o.put(k, v.deepCopy()));
    others = Collections.unmodifiableSortedMap(o);
  }

  /**
   * Reads the table from a stored Config resource.
   *
   * @throws IllegalArgumentException saying what is wrong when the content is not a VIP table
   */
  public static VipTable fromConfig(Resource config) {
    JsonNode text = config.spec().get("config");
    if (text == null || text.isNull() || text.asText().isBlank()) {
      return EMPTY;
    }
    if (!text.isTextual()) {
      throw new IllegalArgumentException("config: must be a string of JSON");
    }
    return parse(text.asText());
  }

  /** The service → VIP map of a stored Config, or an empty map when it cannot be read. */
  public static Map<String, String> addressesOrEmpty(Optional<Resource> config) {
    try {
      return config.map(VipTable::fromConfig).orElse(EMPTY).addresses();
    } catch (IllegalArgumentException e) {
      return Map.of();
    }
  }

  /**
   * Parses the JSON text of the {@code config} field.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static VipTable parse(String json) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("config: is not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config: must be a JSON object of VIP entries");
    }
    TreeMap<String, Vip> services = new TreeMap<>();
    TreeMap<String, JsonNode> others = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (v.isTextual()) { // Kuma's first format: {"<service>": "<ip>"}
        services.put(key, Vip.inUse(v.asText()));
      } else if (key.startsWith(SERVICE_PREFIX) && v.isObject() && v.path("address").isTextual()) {
        Optional<Instant> unused = Optional.empty();
        if (v.hasNonNull("unusedSince")) {
          try {
            unused = Optional.of(Instant.parse(v.get("unusedSince").asText()));
          } catch (DateTimeParseException ex) {
            throw new IllegalArgumentException(
                "config: \"" + key + "\".unusedSince is not an RFC 3339 time: " + v.get("unusedSince"));
          }
        }
        services.put(key.substring(SERVICE_PREFIX.length()), new Vip(v.get("address").asText(), unused));
      } else {
        others.put(key, v);
      }
    }
    return new VipTable(services, others);
  }

  /** The JSON text for the Config's {@code config} field (keys sorted, as Go writes maps). */
  public String toJson() {
    TreeMap<String, JsonNode> all = new TreeMap<>(others);
    JsonNodeFactory f = JsonNodeFactory.instance;
    services.forEach(
        (service, vip) -> {
          ObjectNode entry = f.objectNode();
          entry.put("address", vip.address());
          ObjectNode outbound = entry.putArray("outbounds").addObject();
          outbound.put("Port", 0);
          outbound.putObject("TagSet").put(Tags.SERVICE, service);
          outbound.put("Origin", "service");
          vip.unusedSince().ifPresent(t -> entry.put("unusedSince", t.toString()));
          all.put(SERVICE_PREFIX + service, entry);
        });
    ObjectNode root = f.objectNode();
    all.forEach(root::set);
    try {
      return Json.mapper().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Config spec to store: {@code {config: "<json>"}}. */
  public ObjectNode toSpec() {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("config", toJson());
    return spec;
  }

  /** Every service VIP, in use or reserved, by service. */
  public Map<String, String> addresses() {
    TreeMap<String, String> out = new TreeMap<>();
    services.forEach((s, v) -> out.put(s, v.address()));
    return Collections.unmodifiableMap(out);
  }
}
