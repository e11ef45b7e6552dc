/** Validation results with field paths, shared by the REST API, kumactl and the agent. */
package io.meshlite.api.validation;
