package io.meshlite.cp.tokens;

import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.manager.ResourceManager;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Revoked token ids, as Kuma keeps them: a Secret (GlobalSecret for user tokens) whose {@code data}
 * is the base64 of a comma-separated list of {@code jti} values.
 */
final class Revocations {
  private final ResourceManager manager;

  Revocations(ResourceManager manager) {
    this.manager = manager;
  }

  /** The secret holding the revoked dataplane tokens of a mesh. */
  static String dataplaneSecret(String mesh) {
    return "dataplane-token-revocations-" + mesh;
  }

  /** The GlobalSecret holding the revoked user tokens. */
  static final String USER_SECRET = "user-token-revocations";

  boolean dataplaneRevoked(String mesh, String jti) {
    return revoked(ResourceTypes.SECRET, mesh, dataplaneSecret(mesh)).contains(jti);
  }

  boolean userRevoked(String jti) {
    return revoked(ResourceTypes.GLOBAL_SECRET, "", USER_SECRET).contains(jti);
  }

  private Set<String> revoked(ResourceType type, String mesh, String name) {
    return manager
        .get(type, mesh, name)
        .map(r -> {
          String data = r.spec().path("data").asText("");
          String list;
          try {
            list = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            list = data; // tolerate a list that was stored without base64
          }
          return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        })
        .orElse(Set.of());
  }
}
