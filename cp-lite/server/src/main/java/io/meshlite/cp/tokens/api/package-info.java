/**
 * REST API security (ports 5681 and 5682), as Kuma's {@code tokens} authentication: loopback
 * callers (exactly 127.0.0.1 or ::1) are admins while {@code apiServer.authn.localhostIsAdmin};
 * on the HTTPS port a client certificate trusted by {@code apiServer.auth.clientCertsDir} is an
 * admin; otherwise {@code Authorization: Bearer <user token>} names the user. Admin-only: {@code
 * /tokens/...}, every Secret and GlobalSecret route, {@code /tls/ca.pem}; 401 for anonymous callers
 * and bad tokens, 403 for users who are not admins, in Kuma's error JSON. One Armeria decorator
 * does it for every route; the token endpoints are pure functions ({@code TokenEndpoints}).
 */
package io.meshlite.cp.tokens.api;
