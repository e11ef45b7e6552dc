/** kuma-dp's readiness endpoint ({@code /ready} on 127.0.0.1:9902), as Kuma's readiness reporter. */
package io.meshlite.agent.readiness;
