package io.meshlite.cp.k8s;

import java.io.Serial;
import java.util.Objects;

/**
 * Checks that a proxy's credential proves the Dataplane it claims to be (the dp-server asks on
 * {@code POST /bootstrap} and on the first message of each ADS stream, with the token sent in the
 * {@code authorization} gRPC metadata). Implementations: the service-account one here ({@code
 * dpServer.authn.dpProxy.type: serviceAccountToken}, Kubernetes' default), dataplane-token JWTs
 * ({@code dpToken}, universal), or none.
 */
@FunctionalInterface
public interface DataplaneAuthenticator {

  /**
   * @param token the credential as the proxy sent it (no {@code Bearer} prefix)
   * @param proxy the Dataplane it claims to be
   * @throws AuthenticationException when it does not prove it; the message says why (never the
   *     token)
   */
  void authenticate(String token, ProxyIdentity proxy);

  /**
   * Who a proxy claims to be.
   *
   * @param mesh the mesh
   * @param name the Dataplane name; on Kubernetes {@code <pod>.<namespace>}
   */
  record ProxyIdentity(String mesh, String name) {
    public ProxyIdentity {
      Objects.requireNonNull(mesh, "mesh");
      Objects.requireNonNull(name, "name");
    }
  }

  /** The credential does not prove the identity. */
  final class AuthenticationException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
      super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
