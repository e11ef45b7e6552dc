package io.meshlite.cp.tokens.dp;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
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
import java.util.List;
import java.util.Optional;

/**
 * Authenticates a proxy with its dataplane token: the token must be valid for the proxy's mesh and
 * name (node id {@code <mesh>.<name>}) and, when it binds tags or a workload, for its Dataplane —
 * the one sent inline by kuma-dp ({@code dataplane.resource}) or else the stored one.
 */
public final class DpAuthenticator {
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

  /**
   * Checks the token of an ADS stream.
   *
   * @param values the stream's {@code authorization} metadata values
   * @param node the node of its first request
   * @throws TokenRejected when it is missing, not alone, or not valid for this proxy
   */
  DataplaneClaims stream(List<String> values, Node node) {
    if (values.isEmpty()) {
      throw new TokenRejected(
          "no dataplane token: the xDS stream carries no authorization metadata (run kuma-dp with"
              + " --dataplane-token-file, or set dpServer.authn.dpProxy.type=none on the control plane)");
    }
    if (values.size() > 1) {
      throw new TokenRejected(
          "the xDS stream carries " + values.size() + " authorization values (expected: exactly one dataplane token)");
    }
    ProxyId id = proxyId(node.getId());
    return check(values.get(0), id, inlineDataplane(node));
  }

  /**
   * Checks a token for a proxy again (expiry, revocation, removed keys, changed tags).
   *
   * @param inline the Dataplane JSON the proxy sent, or empty
   */
  DataplaneClaims check(String token, ProxyId id, Optional<String> inline) {
    String raw = bare(token);
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
  DataplaneClaims checkWithoutDataplane(String token, ProxyId id, Optional<String> inline) {
    Optional<DataplaneView> dp;
    try {
      dp = dataplane(id, inline);
    } catch (TokenRejected invalidInline) {
      dp = Optional.empty();
    }
    return tokens.authenticate(bare(token), id.mesh(), id.name(), dp);
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

  static Optional<String> inlineDataplane(Node node) {
    Value v = node.getMetadata().getFieldsMap().get("dataplane.resource");
    return v == null || v.getStringValue().isBlank() ? Optional.empty() : Optional.of(v.getStringValue());
  }

  static ProxyId proxyId(String nodeId) {
    if (nodeId.isEmpty()) {
      throw new TokenRejected("the first xDS request carries no node id (expected: <mesh>.<name>)");
    }
    try {
      return ProxyId.parse(nodeId);
    } catch (IllegalArgumentException e) {
      throw new TokenRejected("node id \"" + nodeId + "\" is not valid: " + e.getMessage());
    }
  }

  /** The token without an optional {@code Bearer } prefix. */
  static String bare(String token) {
    String t = token == null ? "" : token.strip();
    return t.regionMatches(true, 0, "Bearer ", 0, 7) ? t.substring(7).strip() : t;
  }
}
