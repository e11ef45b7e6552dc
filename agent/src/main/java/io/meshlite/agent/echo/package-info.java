/** {@code kuma-tcp-echo}: Kuma's demo service that echoes every byte back. */
package io.meshlite.agent.echo;
