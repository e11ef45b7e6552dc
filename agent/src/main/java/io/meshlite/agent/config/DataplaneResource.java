package io.meshlite.agent.config;

import io.meshlite.agent.support.YamlValues;
import io.meshlite.api.json.JsonText;
import io.meshlite.api.resource.ResourceNames;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.api.validation.Violations;
import java.util.List;
import java.util.Map;

/**
 * A rendered {@code --dataplane} / {@code --dataplane-file} resource, checked the way kuma-dp checks
 * it before sending: one YAML (or JSON) document, {@code type: Dataplane}, a valid name and mesh, and
 * labels that are strings. The spec itself (networking, inbounds, tags) is validated by the control
 * plane when the bootstrap request registers it, as Kuma's does; its 422 names the field.
 *
 * @param name the resource's name
 * @param mesh the resource's mesh
 * @param json the document as JSON, for the bootstrap request's {@code dataplaneResource}
 */
record DataplaneResource(String name, String mesh, String json) {

  /**
   * Checks and converts a rendered resource.
   *
   * @throws ValidationException naming the field of every problem found
   */
  static DataplaneResource parse(String rendered) {
    List<Object> docs;
    try {
      docs = YamlValues.readAll(rendered);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("Could not parse the input", List.of(new Violation("", e.getMessage())));
    }
    if (docs.size() != 1) {
      throw ValidationException.of(
          "", docs.isEmpty() ? "no resource found in the input" : "expected exactly one resource, found " + docs.size());
    }
    if (!(docs.get(0) instanceof Map<?, ?> doc)) {
      throw ValidationException.of("", "a resource must be a mapping with type, name and spec");
    }
    Violations v = new Violations();
    String type = text(doc, "type", v);
    if (type != null && !type.equals("Dataplane")) {
      throw ValidationException.of("type", "resource type is " + type + " (expected: Dataplane)");
    }
    String name = text(doc, "name", v);
    if (name != null) {
      ResourceNames.checkName(name, "name", v);
    }
    String mesh = text(doc, "mesh", v);
    if (mesh != null) {
      ResourceNames.checkMeshName(mesh, "mesh", v);
    }
    Object labels = doc.get("labels");
    if (labels != null) {
      if (!(labels instanceof Map<?, ?> m)) {
        v.add("labels", "must be a mapping of strings");
      } else {
        m.forEach((k, val) ->
            ResourceNames.checkLabel(k.toString(), val != null && !(val instanceof Map) && !(val instanceof List), v));
      }
    }
    v.throwIfAny("Resource is not valid");
    return new DataplaneResource(name, mesh, JsonText.write(doc));
  }

  private static String text(Map<?, ?> doc, String field, Violations v) {
    Object n = doc.get(field);
    if (n == null || (n instanceof String s && s.isEmpty())) {
      v.add(field, "cannot be empty");
      return null;
    }
    if (!(n instanceof String s)) {
      v.add(field, "must be a string");
      return null;
    }
    return s;
  }
}
