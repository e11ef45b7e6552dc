package io.meshlite.cp.tokens.dp;

import io.meshlite.api.mesh.DataplaneSpec;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceCodec;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.tokens.DataplaneClaims;
import io.meshlite.cp.tokens.DataplaneTokens;
import io.meshlite.cp.tokens.DataplaneView;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.util.Optional;

/**
 * Authenticates a proxy with its dataplane token: the token must be valid for the proxy's mesh and
 * name (node id {@code <mesh>.<name>}) and, when it binds tags or a workload, for its Dataplane —
 * the one sent inline by kuma-dp ({@code dataplane.resource}) or else the stored one.
 */
public final class DpAuthenticator implements ProxyAuthenticator {
  /** Kuma's message when a proxy comes without a token. */
  static final String TOKEN_REQUIRED =
      "Dataplane Token is required. Generate token using 'kumactl generate dataplane-token > /path/file' and provide"
          + " it via --dataplane-token-file=/path/file argument to Kuma DP";

  private final DataplaneTokens tokens;
  private final ResourceStore store;

  public DpAuthenticator(DataplaneTokens tokens, ResourceStore store) {
    this.tokens = tokens;
    this.store = store;
  }

  @Override
  public String type() {
    return ProxyAuthenticators.DP_TOKEN;
  }

  @Override
  public String missingCredential() {
    return TOKEN_REQUIRED;
  }

  /**
   * Checks a token for a proxy (also again: expiry, revocation, removed keys, changed tags).
   *
   * @param inline the Dataplane JSON the proxy sent, or empty
   */
  @Override
  public Accepted check(String token, ProxyId id, Optional<String> inline) {
    return accepted(claims(token, id, inline));
  }

  private static Accepted accepted(DataplaneClaims c) {
    return new Accepted(Optional.of(c.expires()), "kid=" + c.kid());
  }

  private DataplaneClaims claims(String token, ProxyId id, Optional<String> inline) {
    String raw = ProxyAuthenticator.bare(token);
    Optional<DataplaneView> dp = dataplane(id, inline);
    DataplaneClaims claims = tokens.authenticate(raw, id.mesh(), id.name(), dp);
    if (dp.isEmpty() && (!claims.identity().tags().isEmpty() || !claims.identity().workload().isEmpty())) {
      throw new TokenRejected(
          "the dataplane token binds tags or a workload, but there is no Dataplane \"" + id.name() + "\" in mesh \""
              + id.mesh() + "\" to check them against (apply it first)");
    }
    return claims;
  }

  /**
   * Checks a token as far as possible before the Dataplane exists (the bootstrap may come first):
   * tags and workload are checked only against a Dataplane that is already known, and an inline
   * Dataplane that does not parse is left to the bootstrap's own validation.
   */
  @Override
  public Accepted checkBeforeDataplane(String token, ProxyId id, Optional<String> inline) {
    Optional<DataplaneView> dp;
    try {
      dp = dataplane(id, inline);
    } catch (TokenRejected invalidInline) {
      dp = Optional.empty();
    }
    return accepted(tokens.authenticate(ProxyAuthenticator.bare(token), id.mesh(), id.name(), dp));
  }

  /** The Dataplane the proxy sent inline, else the stored one. */
  Optional<DataplaneView> dataplane(ProxyId id, Optional<String> inline) {
    if (inline.isPresent() && !inline.get().isBlank()) {
      try {
        Resource r = ResourceCodec.parse(inline.get());
        return Optional.of(new DataplaneView(DataplaneSpec.parse(r.spec()), r.meta().labels()));
      } catch (RuntimeException e) {
        throw new TokenRejected("the Dataplane sent by kuma-dp (dataplane.resource) is not valid: " + e.getMessage());
      }
    }
    try {
      return store
          .get(ResourceKey.of(ResourceTypes.DATAPLANE, id.mesh(), id.name()))
          .map(r -> new DataplaneView(DataplaneSpec.parse(r.spec()), r.meta().labels()));
    } catch (RuntimeException e) {
      return Optional.empty(); // an invalid stored Dataplane: nothing to check tags against
    }
  }
}
