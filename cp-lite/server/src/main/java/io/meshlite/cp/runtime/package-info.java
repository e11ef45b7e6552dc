/** Lifecycle of the control plane's long-running parts. */
package io.meshlite.cp.runtime;
