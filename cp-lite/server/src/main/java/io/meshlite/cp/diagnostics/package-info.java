/**
 * The diagnostics server on port 5680 ({@code /ready}, {@code /healthy}, {@code /metrics}) and the
 * small Prometheus registry the other components count into.
 */
package io.meshlite.cp.diagnostics;
