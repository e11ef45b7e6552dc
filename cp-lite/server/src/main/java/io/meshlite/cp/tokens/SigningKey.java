package io.meshlite.cp.tokens;

import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One RSA signing key of a {@link KeyFamily}.
 *
 * @param family which tokens it signs
 * @param serial its serial number, the {@code kid} of the tokens it signs
 * @param privateKey the key
 * @param publicKey the public half
 * @param created when its secret was stored (tokens issued before cannot have been signed by it)
 */
public record SigningKey(
    KeyFamily family, int serial, RSAPrivateCrtKey privateKey, RSAPublicKey publicKey, Instant created) {
  public SigningKey {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(created, "created");
  }

  @Override
  public String toString() {
    return "SigningKey[" + family.secretName(serial) + "]";
  }
}
