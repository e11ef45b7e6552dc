package io.meshlite.kumactl.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code kumactl get} table of each type, following Kuma 2.14: Mesh, Dataplane and
 * ExternalService have their own columns; every other type prints {@code MESH NAME AGE} (or
 * {@code NAME AGE} when global). AGE is counted from {@code modificationTime}, as Kuma does.
 */
public final class ResourceTables {
  private ResourceTables() {}

  /**
   * Builds the table for REST items of one type.
   *
   * @param type the type of every item
   * @param items resources in REST JSON form
   * @param now the time ages are measured at
   */
  public static Table of(ResourceType type, List<JsonNode> items, Instant now) {
    Table t;
    if (type == ResourceTypes.MESH_TYPE) {
      t = new Table(List.of("NAME", "mTLS", "LOCALITY", "ZONEEGRESS", "AGE"));
      for (JsonNode m : items) {
        JsonNode routing = m.path("routing");
        t.row(
            List.of(
                m.path("name").asText(),
                mtls(m),
                onOff(routing.path("localityAwareLoadBalancing").asBoolean(false)),
                onOff(routing.path("zoneEgress").asBoolean(false)),
                age(m, now)));
      }
    } else if (type == ResourceTypes.DATAPLANE) {
      t = new Table(List.of("MESH", "NAME", "TAGS", "ADDRESS", "AGE"));
      for (JsonNode d : items) {
        JsonNode net = d.path("networking");
        String address = net.path("advertisedAddress").asText("");
        if (address.isEmpty()) {
          address = net.path("address").asText("");
        }
        t.row(
            List.of(
                d.path("mesh").asText(),
                d.path("name").asText(),
                dataplaneTags(net),
                address,
                age(d, now)));
      }
    } else if (type.name().equals("ExternalService")) {
      t = new Table(List.of("MESH", "NAME", "TAGS", "ADDRESS", "AGE"));
      for (JsonNode e : items) {
        Map<String, TreeSet<String>> tags = new TreeMap<>();
        addTags(tags, e.path("tags"));
        t.row(
            List.of(
                e.path("mesh").asText(),
                e.path("name").asText(),
                tagString(tags),
                e.path("networking").path("address").asText(""),
                age(e, now)));
      }
    } else if (type.meshScoped()) {
      t = new Table(List.of("MESH", "NAME", "AGE"));
      for (JsonNode r : items) {
        t.row(List.of(r.path("mesh").asText(), r.path("name").asText(), age(r, now)));
      }
    } else {
      t = new Table(List.of("NAME", "AGE"));
      for (JsonNode r : items) {
        t.row(List.of(r.path("name").asText(), age(r, now)));
      }
    }
    return t;
  }

  /**
   * The tags of a Dataplane as Kuma prints them: keys sorted, the values of one key sorted and
   * joined with {@code ,}, pairs separated by spaces ({@code kuma.io/service=web version=v1}).
   */
  public static String dataplaneTags(JsonNode networking) {
    Map<String, TreeSet<String>> tags = new TreeMap<>();
    for (JsonNode in : networking.path("inbound")) {
      addTags(tags, in.path("tags"));
    }
    addTags(tags, networking.path("gateway").path("tags"));
    return tagString(tags);
  }

  private static void addTags(Map<String, TreeSet<String>> into, JsonNode tags) {
    tags.properties()
        .forEach(e -> into.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(e.getValue().asText()));
  }

  private static String tagString(Map<String, TreeSet<String>> tags) {
    List<String> pairs = new ArrayList<>();
    tags.forEach((k, vs) -> pairs.add(k + "=" + String.join(",", vs)));
    return String.join(" ", pairs);
  }

  private static String mtls(JsonNode mesh) {
    JsonNode mtls = mesh.path("mtls");
    String enabled = mtls.path("enabledBackend").asText("");
    if (enabled.isEmpty()) {
      return "off";
    }
    for (JsonNode b : mtls.path("backends")) {
      if (enabled.equals(b.path("name").asText())) {
        return b.path("type").asText("") + "/" + enabled;
      }
    }
    return "/" + enabled;
  }

  private static String onOff(boolean on) {
    return on ? "on" : "off";
  }

  private static String age(JsonNode r, Instant now) {
    return Ages.parse(r.path("modificationTime").asText(null))
        .map(t -> Ages.since(t, now))
        .orElse("unknown");
  }
}
