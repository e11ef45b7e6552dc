/**
 * Running Envoy: locating the binary and checking its version, the command line Kuma uses, the
 * supervisor that restarts a crashed Envoy with backoff, and a small client for Envoy's admin API.
 */
package io.meshlite.agent.envoy;
