package io.meshlite.api.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.validation.Violations;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Typed view of the parts of a Mesh spec the control plane acts on. Other sections (tracing,
 * logging, metrics, …) are stored as given.
 *
 * @param enabledMtlsBackend {@code mtls.enabledBackend}, empty when mTLS is off
 */
public record MeshSpec(Optional<String> enabledMtlsBackend) {

  /** Parses and validates a Mesh spec. */
  public static MeshSpec parse(ObjectNode spec) {
    Violations v = new Violations();
    Optional<String> enabled = Optional.empty();
    JsonNode mtls = spec.get("mtls");
    if (mtls != null && !mtls.isNull()) {
      if (!mtls.isObject()) {
        v.add("mtls", "must be a mapping");
      } else {
        Set<String> names = new HashSet<>();
        JsonNode backends = mtls.get("backends");
        if (backends != null && !backends.isNull()) {
          if (!backends.isArray()) {
            v.add("mtls.backends", "must be a list");
          } else {
            for (int i = 0; i < backends.size(); i++) {
              JsonNode b = backends.get(i);
              String p = Violations.index("mtls.backends", i);
              String name = b.path("name").asText("");
              if (name.isEmpty()) {
                v.add(p + ".name", "cannot be empty");
              } else if (!names.add(name)) {
                v.add(p + ".name", "\"" + name + "\" is used by another backend");
              }
              String type = b.path("type").asText("");
              if (!type.equals("builtin") && !type.equals("provided")) {
                v.add(p + ".type", "\"" + type + "\" is not valid (expected: builtin or provided)");
              }
              String mode = b.path("mode").asText("STRICT");
              if (!mode.equals("STRICT") && !mode.equals("PERMISSIVE")) {
                v.add(p + ".mode", "\"" + mode + "\" is not valid (expected: STRICT or PERMISSIVE)");
              }
            }
          }
        }
        String eb = mtls.path("enabledBackend").asText("");
        if (!eb.isEmpty()) {
          if (!names.contains(eb)) {
            v.add("mtls.enabledBackend", "has to be set to one of the backends in the mesh");
          }
          enabled = Optional.of(eb);
        }
      }
    }
    v.throwIfAny("Resource is not valid");
    return new MeshSpec(enabled);
  }
}
