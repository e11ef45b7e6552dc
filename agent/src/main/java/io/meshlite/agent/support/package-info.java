/** Small seams shared by the agent's parts: time that tests can fast-forward, Go-style durations. */
package io.meshlite.agent.support;
