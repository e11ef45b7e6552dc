package io.meshlite.cp.tokens;

import io.meshlite.api.resource.ResourceType;
import io.meshlite.api.resource.ResourceTypes;
import java.util.OptionalInt;

/**
 * Where one kind of signing key lives, as Kuma names it: dataplane token keys are Secrets {@code
 * dataplane-token-signing-key-<mesh>-<serial>} in their mesh, user token keys GlobalSecrets {@code
 * user-token-signing-key-<serial>}. A name without a serial is serial 0 (Kuma 1.3 keys).
 *
 * @param type Secret or GlobalSecret
 * @param mesh the mesh of the Secrets, {@code ""} for GlobalSecrets
 * @param prefix the secret name without {@code -<serial>}
 * @param what what the keys sign, for messages ("dataplane tokens of mesh default")
 */
public record KeyFamily(ResourceType type, String mesh, String prefix, String what) {

  /** The keys of dataplane tokens of one mesh. */
  public static KeyFamily dataplane(String mesh) {
    return new KeyFamily(
        ResourceTypes.SECRET, mesh, "dataplane-token-signing-key-" + mesh, "dataplane tokens of mesh " + mesh);
  }

  /** The keys of user tokens (API server). */
  public static KeyFamily user() {
    return new KeyFamily(ResourceTypes.GLOBAL_SECRET, "", "user-token-signing-key", "user tokens");
  }

  /** The secret name of a serial. */
  public String secretName(int serial) {
    return serial == 0 ? prefix : prefix + "-" + serial;
  }

  /** The serial a secret of this family has, or empty when the name is not one of its keys. */
  public OptionalInt serialOf(String secretName) {
    if (secretName.equals(prefix)) {
      return OptionalInt.of(0);
    }
    if (!secretName.startsWith(prefix + "-")) {
      return OptionalInt.empty();
    }
    String rest = secretName.substring(prefix.length() + 1);
    if (rest.isEmpty() || rest.length() > 9 || !rest.chars().allMatch(Character::isDigit)) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(rest));
  }

  /** How a user refers to one key in messages, e.g. "signing key 2 of mesh default". */
  public String describe(int serial) {
    return "signing key " + serial + (mesh.isEmpty() ? " of user tokens" : " of mesh " + mesh);
  }

  /** The kind of resource the keys are, for messages ("Secret" or "GlobalSecret"). */
  public String kind() {
    return type.name();
  }
}
