package io.meshlite.cp.tokens.dp;

import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One way of checking that a proxy's credential proves the Dataplane it claims to be — one per
 * {@code dpServer.authn.dpProxy.type}: {@code dpToken} ({@link DpAuthenticator}, dataplane-token
 * JWTs, universal's default) or {@code serviceAccountToken} (the pod's ServiceAccount token,
 * Kubernetes' default). The dataplane server asks it on {@code POST /bootstrap}, on the first
 * message of each ADS stream (the credential comes in the {@code authorization} gRPC metadata),
 * when the credential is reloaded, and again when a store change may have made an accepted one
 * invalid. {@link ProxyAuthenticators} picks the one the configuration names.
 *
 * <p>Implementations throw {@link TokenRejected} with a one-line reason (never the credential)
 * when it does not prove the identity, and any other runtime exception when it cannot be checked
 * now (a store or API server that does not answer): the proxy is then told to retry.
 */
public interface ProxyAuthenticator {

  /** The {@code dpServer.authn.dpProxy.type} this implements, e.g. {@code dpToken}. */
  String type();

  /**
   * What a proxy that sent no credential is told: how to give it one.
   */
  String missingCredential();

  /**
   * Checks a credential for an ADS stream, a reload or a re-check.
   *
   * @param token the credential as sent (an optional {@code Bearer } prefix is allowed)
   * @param id the proxy
   * @param inline the Dataplane kuma-dp sent ({@code dataplane.resource}), or empty
   * @throws TokenRejected when it does not prove the identity
   */
  Accepted check(String token, ProxyId id, Optional<String> inline);

  /**
   * Checks a credential as far as possible before the Dataplane exists ({@code POST /bootstrap}
   * may come first). By default the same as {@link #check}.
   *
   * @throws TokenRejected when it does not prove the identity
   */
  default Accepted checkBeforeDataplane(String token, ProxyId id, Optional<String> inline) {
    return check(token, id, inline);
  }

  /**
   * A credential that passed.
   *
   * @param expires when it stops being valid (the stream is closed then), or empty when it does
   *     not expire on its own
   * @param subject who it proved, for logs ({@code kid=3}, {@code
   *     serviceAccount=system:serviceaccount:shop:web}); never the credential
   */
  record Accepted(Optional<Instant> expires, String subject) {
    public Accepted {
      Objects.requireNonNull(expires, "expires");
      Objects.requireNonNull(subject, "subject");
    }
  }

  /** The credential without an optional {@code Bearer } prefix and surrounding blanks. */
  static String bare(String token) {
    String t = token == null ? "" : token.strip();
    return t.regionMatches(true, 0, "Bearer ", 0, 7) ? t.substring(7).strip() : t;
  }
}
