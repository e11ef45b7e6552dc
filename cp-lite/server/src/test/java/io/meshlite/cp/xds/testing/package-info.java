/** Test helpers for xDS and dp-server tests: golden files. */
package io.meshlite.cp.xds.testing;
