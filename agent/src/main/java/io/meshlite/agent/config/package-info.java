/**
 * kuma-dp's configuration: Kuma's {@code run} flags and {@code KUMA_*} variables (a set variable
 * beats the flag, as in Kuma), read and validated once into an {@link
 * io.meshlite.agent.config.AgentConfig}.
 */
package io.meshlite.agent.config;
