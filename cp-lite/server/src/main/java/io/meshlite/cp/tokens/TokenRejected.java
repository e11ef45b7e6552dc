package io.meshlite.cp.tokens;

import java.io.Serial;

/**
 * A token that is not accepted, with one line that says why and what to do (never the token
 * itself). The dp-server answers it with 401 on {@code /bootstrap} and {@code UNAUTHENTICATED} on
 * the ADS stream; the API server with 401.
 */
public final class TokenRejected extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  public TokenRejected(String reason) {
    super(reason, null, false, false);
  }
}
