/**
 * Stopping kuma-dp the way Kuma does: the first SIGTERM/SIGINT drains Envoy (readiness turns
 * TERMINATING, health checks fail, inbound listeners drain) for up to the drain time, the second
 * stops Envoy at once, the third exits.
 */
package io.meshlite.agent.lifecycle;
