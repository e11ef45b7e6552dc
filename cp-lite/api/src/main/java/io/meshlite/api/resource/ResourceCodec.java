package io.meshlite.api.resource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.api.validation.Violations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes resources in Kuma's shapes: YAML files as {@code kumactl apply} takes them and
 * the JSON bodies of the REST API. Parsing checks the envelope (type, name, mesh, labels); the
 * type-specific spec checks live in {@link io.meshlite.api.validation}-using validators.
 */
public final class ResourceCodec {
  private static final Set<String> ENVELOPE =
      Set.of("type", "name", "mesh", "labels", "creationTime", "modificationTime", "kri");

  private ResourceCodec() {}

  /**
   * Parses one or more YAML (or JSON) documents separated by {@code ---}. Empty documents are
   * skipped. Every document is checked before anything is returned, so a caller applying the
   * result stores all or nothing.
   *
   * @throws ValidationException naming the document and field of every problem found
   */
  public static List<Resource> parseDocuments(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode() && !(n.isTextual() && n.asText().isBlank())) {
          docs.add(n);
        }
      }
    } catch (JsonProcessingException e) {
      throw new ValidationException(
          "Could not parse the input", List.of(new Violation("", describe(e))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // Jackson wraps parse errors met while iterating in a RuntimeException.
      Throwable c = e.getCause() instanceof JsonProcessingException jpe ? jpe : e;
      String msg = c instanceof JsonProcessingException jpe ? describe(jpe) : c.getMessage();
      throw new ValidationException("Could not parse the input", List.of(new Violation("", msg)));
    }
    if (docs.isEmpty()) {
      throw ValidationException.of("", "no resource found in the input");
    }
    List<Resource> out = new ArrayList<>();
    List<Violation> problems = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      try {
        out.add(parse(docs.get(i)));
      } catch (ValidationException e) {
        String prefix = docs.size() > 1 ? "document " + (i + 1) + ": " : "";
        for (Violation v : e.violations()) {
          problems.add(new Violation(v.field(), prefix + v.message()));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException("Resource is not valid", problems);
    }
    return List.copyOf(out);
  }

  /** Parses a single JSON or YAML document. */
  public static Resource parse(String text) {
    List<Resource> all = parseDocuments(text);
    if (all.size() != 1) {
      throw ValidationException.of("", "expected exactly one resource, found " + all.size());
    }
    return all.get(0);
  }

  /**
   * Parses one document already read as a tree: checks the envelope and splits spec from metadata.
   */
  public static Resource parse(JsonNode node) {
    Violations v = new Violations();
    if (!node.isObject()) {
      throw ValidationException.of("", "a resource must be a mapping with type, name and spec");
    }
    String typeName = text(node, "type", v);
    ResourceType type = null;
    if (typeName != null) {
      type = ResourceTypes.byName(typeName).orElse(null);
      if (type == null) {
        v.add("type", "unknown type \"" + typeName + "\" (expected one of the types listed by GET /_resources)");
      }
    }
    String name = text(node, "name", v);
    if (name != null) {
      if (type == ResourceTypes.MESH_TYPE) {
        ResourceNames.checkMeshName(name, "name", v);
      } else {
        ResourceNames.checkName(name, "name", v);
      }
    }
    String mesh = "";
    if (type != null && type.meshScoped()) {
      mesh = text(node, "mesh", v);
      if (mesh != null) {
        ResourceNames.checkMeshName(mesh, "mesh", v);
      }
    }
    Map<String, String> labels = labels(node.get("labels"), v);
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    if (type != null) {
      if (type.shape() == ResourceType.Shape.INLINE) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          if (!ENVELOPE.contains(e.getKey())) {
            spec.set(e.getKey(), e.getValue());
          }
        }
      } else {
        JsonNode s = node.get("spec");
        if (s == null || s.isNull()) {
          v.add("spec", "must be defined");
        } else if (!s.isObject()) {
          v.add("spec", "must be a mapping");
        } else {
          spec = (ObjectNode) s;
        }
      }
    }
    v.throwIfAny("Resource is not valid");
    ResourceMeta meta =
        ResourceMeta.draft(labels)
            .withTimes(time(node, "creationTime"), time(node, "modificationTime"));
    return new Resource(type, mesh, name, meta, spec);
  }

  /** Renders a resource as Kuma's REST API returns it. */
  public static ObjectNode toJson(Resource r) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", r.type().name());
    if (r.type().meshScoped()) {
      n.put("mesh", r.mesh());
    }
    n.put("name", r.name());
    n.put("creationTime", r.meta().creationTime().toString());
    n.put("modificationTime", r.meta().modificationTime().toString());
    if (!r.meta().labels().isEmpty()) {
      ObjectNode l = n.putObject("labels");
      r.meta().labels().forEach(l::put);
    }
    if (r.type().shape() == ResourceType.Shape.INLINE) {
      r.spec().properties().forEach(e -> n.set(e.getKey(), e.getValue()));
    } else {
      n.set("spec", r.spec());
    }
    return n;
  }

  /** Renders a resource as YAML, as {@code kumactl get -o yaml} prints it. */
  public static String toYaml(Resource r) {
    try {
      return Json.yaml().writeValueAsString(toJson(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(JsonNode node, String field, Violations v) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
      v.add(field, "cannot be empty");
      return null;
    }
    if (!n.isTextual()) {
      v.add(field, "must be a string");
      return null;
    }
    return n.asText();
  }

  private static Map<String, String> labels(JsonNode n, Violations v) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      v.add("labels", "must be a mapping of strings");
      return out;
    }
    n.properties()
        .forEach(
            e -> {
              if (ResourceNames.checkLabel(e.getKey(), e.getValue().isValueNode() && !e.getValue().isNull(), v)) {
                out.put(e.getKey(), e.getValue().asText());
              }
            });
    return out;
  }

  private static Instant time(JsonNode node, String field) {
    JsonNode n = node.get(field);
    if (n == null || !n.isTextual()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static String describe(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    if (e.getLocation() != null) {
      return "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": " + msg;
    }
    return msg;
  }
}
