/** End-to-end suites: real processes, real Envoy, loopback only. */
package io.meshlite.tests.e2e;
