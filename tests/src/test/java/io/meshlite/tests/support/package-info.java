/**
 * Fixtures of the end-to-end suites: our binaries as real processes (kuma-cp, kuma-dp with real
 * Envoy, kumactl), free ports, Envoy admin readers. Nothing here fakes a component under test.
 */
package io.meshlite.tests.support;
