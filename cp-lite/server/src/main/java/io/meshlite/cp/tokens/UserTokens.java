package io.meshlite.cp.tokens;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Issues and validates user tokens of the API server (Kuma's {@code /tokens/user}): RS256, claims
 * {@code Name} and {@code Groups}, signed by GlobalSecrets {@code user-token-signing-key-<serial>},
 * revoked by GlobalSecret {@code user-token-revocations}.
 */
public final class UserTokens {
  /** The admin user (and group) of Kuma. */
  public static final String ADMIN = "mesh-system:admin";

  static final String WHAT = "user token";
  static final String HOW = "use a valid token (kumactl generate user-token, or the GlobalSecret admin-user-token)";

  /**
   * A user.
   *
   * @param name the user name
   * @param groups its groups
   */
  public record User(String name, List<String> groups) {
    public User {
      Objects.requireNonNull(name, "name");
      groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** True for Kuma's admin user or any member of its admin group. */
    public boolean admin() {
      return name.equals(ADMIN) || groups.contains(ADMIN);
    }
  }

  private final SigningKeys keys;
  private final Revocations revocations;
  private final Clock clock;

  public UserTokens(SigningKeys keys, Revocations revocations, Clock clock) {
    this.keys = keys;
    this.revocations = revocations;
    this.clock = clock;
  }

  /** A new token for the user, signed with the newest user token key (created if none exists). */
  public String issue(User user, Duration validFor) {
    SigningKey key = keys.latestOrCreate(KeyFamily.user());
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("Name", user.name());
    claims.put("Groups", user.groups());
    return Jwt.sign(key, claims, clock.instant(), validFor, UUID.randomUUID().toString());
  }

  /**
   * The user a token authenticates.
   *
   * @throws TokenRejected when it is malformed, forged, expired or revoked
   */
  public User authenticate(String token) {
    Jwt.Unverified t = Jwt.parse(token, WHAT, HOW);
    Jwt.verify(t, keys, KeyFamily.user(), clock.instant(), WHAT, HOW);
    if (revocations.userRevoked(t.id())) {
      throw new TokenRejected("the user token was revoked (its jti is listed in GlobalSecret " + Revocations.USER_SECRET + ")");
    }
    String name = t.string("Name");
    if (name.isEmpty()) {
      throw new TokenRejected("the user token names no user (claim Name): " + HOW);
    }
    return new User(name, t.strings("Groups"));
  }
}
