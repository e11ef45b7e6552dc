/**
 * kuma-dp, the sidecar agent: {@link io.meshlite.agent.AgentMain} parses Kuma's command line and
 * wires the parts by constructor; {@link io.meshlite.agent.Agent} runs one proxy from bootstrap to
 * drain.
 */
package io.meshlite.agent;
