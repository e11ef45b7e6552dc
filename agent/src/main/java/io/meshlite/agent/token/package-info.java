/**
 * The dataplane token kuma-dp uses: {@link io.meshlite.agent.token.TokenFile} keeps the token in
 * use in kuma-dp's own file in the work directory (the file Envoy reads for every new xDS stream in
 * the reloadable bootstrap form), and {@link io.meshlite.agent.token.TokenWatcher} follows {@code
 * --dataplane-token-file}: a changed token is checked by the control plane, installed, and the
 * control plane closes the proxy's xDS stream so Envoy reconnects with it, without a restart.
 */
package io.meshlite.agent.token;
