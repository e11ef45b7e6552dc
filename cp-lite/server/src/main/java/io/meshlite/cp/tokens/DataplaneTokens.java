package io.meshlite.cp.tokens;

import io.meshlite.cp.manager.ManagerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and validates dataplane tokens (kuma-dp-spec §4). A token is checked against the proxy
 * that presents it: its mesh's keys (by {@code kid}), expiry, the mesh's revocation list, and the
 * {@code Mesh}, {@code Name}, {@code Type}, {@code Tags} and {@code Workload} claims against the
 * proxy's node id and Dataplane. Every refusal is a {@link TokenRejected} naming the cause.
 */
public final class DataplaneTokens {
  /** Kuma's default validity of a dataplane token: 10 years. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);

  static final String WHAT = "dataplane token";
  static final String HOW = "issue a new token (kumactl generate dataplane-token)";
  private static final String WORKLOAD_LABEL = "kuma.io/workload";

  private final SigningKeys keys;
  private final Revocations revocations;
  private final Clock clock;

  public DataplaneTokens(SigningKeys keys, Revocations revocations, Clock clock) {
    this.keys = keys;
    this.revocations = revocations;
    this.clock = clock;
  }

  /**
   * A new token signed with the newest key of the identity's mesh (created if the mesh has none).
   *
   * @throws ManagerException.MeshNotFound when the mesh does not exist
   */
  public String issue(DataplaneIdentity identity, Duration validFor) {
    SigningKey key = keys.latestOrCreate(KeyFamily.dataplane(identity.mesh()));
    return Jwt.sign(key, identity.claims(), clock.instant(), validFor, UUID.randomUUID().toString());
  }

  /**
   * Validates a token presented by the proxy {@code name} of {@code mesh}.
   *
   * @param dataplane the proxy's Dataplane, when known (the tags and workload are checked against
   *     it; without it only a token that binds no tags and no workload passes)
   * @throws TokenRejected when the token is not good for this proxy
   */
  public DataplaneClaims authenticate(String token, String mesh, String name, Optional<DataplaneView> dataplane) {
    Jwt.Unverified t = Jwt.parse(token, WHAT, HOW);
    DataplaneIdentity id = identity(t);
    if (!id.mesh().isEmpty() && !id.mesh().equals(mesh)) {
      throw new TokenRejected(
          "the dataplane token is for mesh \"" + id.mesh() + "\", but the proxy is in mesh \"" + mesh + "\": " + HOW);
    }
    if (!id.name().isEmpty() && !id.name().equals(name)) {
      throw new TokenRejected(
          "the dataplane token is for dataplane \"" + id.name() + "\", but the proxy is \"" + name + "\": " + HOW);
    }
    Instant now = clock.instant();
    Jwt.verify(t, keys, KeyFamily.dataplane(mesh), now, WHAT, HOW);
    if (revocations.dataplaneRevoked(mesh, t.id())) {
      throw new TokenRejected(
          "the dataplane token was revoked (its jti is listed in Secret " + Revocations.dataplaneSecret(mesh) + "): "
              + HOW);
    }
    if (!id.type().isEmpty() && !id.type().equals("dataplane")) {
      throw new TokenRejected("the dataplane token is for proxy type \"" + id.type() + "\", not dataplane: " + HOW);
    }
    if (!id.tags().isEmpty() || !id.workload().isEmpty()) {
      DataplaneView dp =
          dataplane.orElseThrow(
              () -> new TokenRejected(
                  "the dataplane token binds tags or a workload, but Dataplane \"" + name + "\" of mesh \"" + mesh
                      + "\" is not known to check them against"));
      checkTags(id.tags(), dp.tags());
      if (!id.workload().isEmpty() && !id.workload().equals(dp.labels().get(WORKLOAD_LABEL))) {
        throw new TokenRejected(
            "the dataplane token is for workload \"" + id.workload() + "\", but the Dataplane's " + WORKLOAD_LABEL
                + " label is \"" + dp.labels().getOrDefault(WORKLOAD_LABEL, "") + "\": " + HOW);
      }
    }
    return new DataplaneClaims(id, t.id(), t.claims().getExpirationTime().toInstant(), t.kid());
  }

  /** Kuma 2.x: every tag the token names must be on the Dataplane, with allowed values only. */
  private static void checkTags(Map<String, List<String>> allowed, Map<String, Set<String>> dataplane) {
    for (Map.Entry<String, List<String>> e : allowed.entrySet()) {
      Set<String> values = dataplane.get(e.getKey());
      if (values == null) {
        throw new TokenRejected(
            "the Dataplane has no tag \"" + e.getKey() + "\", which the dataplane token requires (allowed values: "
                + String.join(", ", e.getValue()) + ")");
      }
      for (String v : values) {
        if (!e.getValue().contains(v)) {
          throw new TokenRejected(
              "the Dataplane has tag " + e.getKey() + "=" + v + ", which the dataplane token does not allow (allowed values: "
                  + String.join(", ", e.getValue()) + ")");
        }
      }
    }
  }

  private static DataplaneIdentity identity(Jwt.Unverified t) {
    Map<String, List<String>> tags = new LinkedHashMap<>();
    Object raw = t.claims().getClaim("Tags");
    if (raw instanceof Map<?, ?> m) {
      m.forEach((k, v) -> tags.put(String.valueOf(k), v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(v))));
    }
    return new DataplaneIdentity(t.string("Name"), t.string("Mesh"), tags, t.string("Type"), t.string("Workload"));
  }
}
