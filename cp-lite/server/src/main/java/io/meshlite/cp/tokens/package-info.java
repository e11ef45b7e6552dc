/**
 * Dataplane and user tokens, as Kuma 2.14 issues and checks them, and the wiring of the control
 * plane's security ({@link io.meshlite.cp.tokens.CpSecurity}).
 *
 * <p><b>Tokens.</b> RS256 JWTs with header {@code kid} = the serial of the signing key and Kuma's
 * capitalised claims ({@code Name, Mesh, Tags, Type, Workload} for dataplanes, {@code Name,
 * Groups} for users) plus {@code jti, iat, nbf, exp}; {@code iat}/{@code nbf} are backdated 5s.
 * Signing keys are RSA-2048 PKCS#1 PEMs in Secrets {@code dataplane-token-signing-key-<mesh>-<n>}
 * and GlobalSecrets {@code user-token-signing-key-<n>}; the highest serial signs, any stored key
 * validates what it signed, so rotation is "add serial n+1, later delete n". Revocations are the
 * comma-separated {@code jti}s in {@code dataplane-token-revocations-<mesh>} / {@code
 * user-token-revocations}. Keys and revocations are read from the store on every check, so a
 * change takes effect at once (no cache to go stale).
 *
 * <p><b>Messages.</b> Every refusal is a {@link io.meshlite.cp.tokens.TokenRejected} whose message
 * names the cause and the fix, never the token. A token whose signature fails against a key that
 * was created after the token was issued is reported as "signing key N of mesh M does not exist any
 * more (the control plane's memory store was reset?)": with the memory store a restart creates a
 * new key 1, and old tokens must be reissued.
 *
 * <p><b>Defaults.</b> {@link io.meshlite.cp.tokens.TokenDefaults} creates key 1 for every Mesh (at
 * start, and from Mesh creation events — not inside the ResourceManager), the user token key and
 * the admin user token in GlobalSecret {@code admin-user-token}. Subpackages: {@code dp} (the
 * dataplane server: bootstrap and ADS stream authentication, live-stream enforcement, token reload)
 * and {@code api} (REST API authentication and authorization, token endpoints, HTTPS).
 */
package io.meshlite.cp.tokens;
