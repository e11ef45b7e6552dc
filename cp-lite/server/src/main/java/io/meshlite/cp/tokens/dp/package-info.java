/**
 * Dataplane token authentication on the dataplane server (port 5678), tighter than Kuma where
 * Kuma users were hurt (tokens only checked on the next request; reload needing a restart).
 *
 * <p>Which credential is checked is one {@link io.meshlite.cp.tokens.dp.ProxyAuthenticator}, picked
 * by {@link io.meshlite.cp.tokens.dp.ProxyAuthenticators} from {@code dpServer.authn.dpProxy.type}:
 * {@code dpToken} ({@link io.meshlite.cp.tokens.dp.DpAuthenticator}, dataplane-token JWTs, universal)
 * or {@code serviceAccountToken} (the pod's ServiceAccount token checked with a TokenReview, offered
 * only on the Kubernetes store, Kubernetes' default); everything below applies to either.
 *
 * <ul>
 *   <li>{@code POST /bootstrap}: no token = 422 (Kuma); a bad token = 401 with the reason (Kuma only
 *       checks presence here), so kuma-dp stops with one line and never starts an Envoy that would
 *       be refused. Tags are checked here only once the Dataplane exists (kuma-dp retries a 404).
 *   <li>ADS: {@link io.meshlite.cp.tokens.dp.TokenMetadata} takes the {@code authorization}
 *       metadata; {@link io.meshlite.cp.tokens.dp.AuthenticatingAds} holds the stream back until its
 *       first request is authenticated (off the event loop), and only then opens the real ADS
 *       stream: a refused proxy never reaches the snapshot cache. Refusal = {@code UNAUTHENTICATED}
 *       with the reason (Envoy logs it), plus one WARN line per proxy and reason a minute.
 *   <li>{@link io.meshlite.cp.tokens.dp.LiveStreams} closes an accepted stream the moment its token
 *       expires (a timer at {@code exp}) or stops being valid: store events for the mesh's
 *       revocation Secret, its signing keys, the Dataplane or the Mesh re-check the streams.
 *   <li>Token reload: with TLS and a token file, the bootstrap uses Kuma's reloadable form (Google
 *       gRPC + {@code envoy.grpc_credentials.file_based_metadata}): Envoy reads the token file on
 *       every new stream. kuma-dp posts a changed token to {@code /dataplane-token/reload}; it is
 *       checked for that proxy and the proxy's streams are closed with {@code UNAVAILABLE}, so
 *       Envoy reconnects with the new token — no Envoy restart.
 * </ul>
 */
package io.meshlite.cp.tokens.dp;
