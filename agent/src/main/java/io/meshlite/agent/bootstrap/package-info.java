/**
 * Fetching the Envoy bootstrap from the control plane: the request kuma-dp sends to {@code POST
 * /bootstrap} and the client that retries it with Kuma's status-code rules.
 */
package io.meshlite.agent.bootstrap;
