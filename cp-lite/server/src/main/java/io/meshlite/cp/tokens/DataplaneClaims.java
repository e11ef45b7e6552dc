package io.meshlite.cp.tokens;

import java.time.Instant;

/**
 * A dataplane token that passed validation.
 *
 * @param identity whom it is for
 * @param id its {@code jti}
 * @param expires its {@code exp}
 * @param kid the serial of the key that signed it
 */
public record DataplaneClaims(DataplaneIdentity identity, String id, Instant expires, int kid) {}
