package io.meshlite.api.policy;

import static io.meshlite.api.validation.Violations.key;
import static io.meshlite.api.validation.Violations.path;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.validation.Violations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A policy's {@code targetRef}: which proxies it configures (top level) or which clients a {@code
 * from[]} entry is about.
 *
 * @param kind the kind
 * @param name {@code name} (MeshService, MeshServiceSubset, Dataplane), else empty
 * @param tags {@code tags} (MeshSubset, MeshServiceSubset), else empty
 * @param proxyTypes {@code proxyTypes} ({@code Sidecar}, {@code Gateway}); empty means every type
 */
public record TargetRef(Kind kind, String name, Map<String, String> tags, List<String> proxyTypes) {

  /** The kinds of Kuma 2.14, in ascending specificity (the order policies are merged in). */
  public enum Kind {
    Mesh,
    Dataplane,
    MeshSubset,
    MeshGateway,
    MeshService,
    MeshExternalService,
    MeshMultiZoneService,
    MeshServiceSubset,
    MeshHTTPRoute;

    /** The kind with this exact name. */
    public static Optional<Kind> of(String name) {
      return Arrays.stream(values()).filter(k -> k.name().equals(name)).findFirst();
    }
  }

  /** {@code kind: Mesh}: everything. */
  public static final TargetRef MESH = new TargetRef(Kind.Mesh, "", Map.of(), List.of());

  public TargetRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    proxyTypes = List.copyOf(proxyTypes);
  }

  /** True unless {@code proxyTypes} is set and leaves sidecars out. */
  public boolean selectsSidecars() {
    return proxyTypes.isEmpty() || proxyTypes.contains("Sidecar");
  }

  /**
   * Parses a targetRef at {@code p}, accepting only the given kinds.
   *
   * @return the targetRef, or null after recording violations
   */
  public static TargetRef parse(JsonNode n, String p, Set<Kind> allowed, Violations v) {
    if (n == null || n.isNull()) {
      v.add(p, "must be defined");
      return null;
    }
    if (!n.isObject()) {
      v.add(p, "must be a mapping");
      return null;
    }
    String kp = path(p, "kind");
    JsonNode kn = n.get("kind");
    if (kn == null || kn.isNull() || kn.asText("").isEmpty()) {
      v.add(kp, "must be defined");
      return null;
    }
    Optional<Kind> kind = Kind.of(kn.asText());
    if (kind.isEmpty() || !allowed.contains(kind.get())) {
      v.add(
          kp,
          "\"" + kn.asText() + "\" is not supported here (expected one of: "
              + allowed.stream().sorted().map(Kind::name).collect(Collectors.joining(", ")) + ")");
      return null;
    }
    Kind k = kind.get();
    int before = v.list().size();
    String name = "";
    JsonNode nn = n.get("name");
    boolean hasName = nn != null && !nn.isNull() && !nn.asText("").isEmpty();
    if (nn != null && !nn.isNull() && !nn.isTextual()) {
      v.add(path(p, "name"), "must be a string");
    } else if (hasName) {
      name = nn.asText();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode tn = n.get("tags");
    boolean hasTags = tn != null && !tn.isNull();
    if (hasTags) {
      if (!tn.isObject()) {
        v.add(path(p, "tags"), "must be a mapping of strings");
      } else {
        tn.properties()
            .forEach(
                e -> {
                  String tp = key(path(p, "tags"), e.getKey());
                  if (e.getKey().isEmpty()) {
                    v.add(path(p, "tags"), "tag name cannot be empty");
                  } else if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
                    v.add(tp, "tag value must be a non-empty string");
                  } else {
                    tags.put(e.getKey(), e.getValue().asText());
                  }
                });
      }
    }
    boolean needsName = k == Kind.MeshService || k == Kind.MeshServiceSubset;
    boolean allowsTags = k == Kind.MeshSubset || k == Kind.MeshServiceSubset;
    if (needsName && !hasName) {
      v.add(path(p, "name"), "must be set with kind " + k);
    }
    if (!needsName && k != Kind.Dataplane && hasName) {
      v.add(path(p, "name"), "must not be set with kind " + k);
    }
    if (!allowsTags && hasTags) {
      v.add(path(p, "tags"), "must not be set with kind " + k);
    }
    if (k == Kind.Dataplane) {
      for (String unsupported : new String[] {"labels", "sectionName", "namespace"}) {
        if (n.hasNonNull(unsupported)) {
          v.add(path(p, unsupported), "is not supported yet (select the Dataplane by name)");
        }
      }
      if (!hasName) {
        v.add(path(p, "name"), "must be set with kind Dataplane");
      }
    }
    List<String> types = new ArrayList<>();
    JsonNode proxyTypes = n.get("proxyTypes");
    if (proxyTypes != null && !proxyTypes.isNull()) {
      if (!proxyTypes.isArray()) {
        v.add(path(p, "proxyTypes"), "must be a list");
      } else {
        for (int i = 0; i < proxyTypes.size(); i++) {
          String t = proxyTypes.get(i).asText("");
          if (!t.equals("Sidecar") && !t.equals("Gateway")) {
            v.add(
                Violations.index(path(p, "proxyTypes"), i),
                "\"" + t + "\" is not valid (expected: Sidecar or Gateway)");
          }
          types.add(t);
        }
      }
    }
    return v.list().size() == before ? new TargetRef(k, name, tags, types) : null;
  }
}
