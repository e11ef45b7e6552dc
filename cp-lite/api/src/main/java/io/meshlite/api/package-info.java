/** The contract shared by kuma-cp, kumactl and kuma-dp. */
package io.meshlite.api;
