/**
 * Tiny helpers that build Envoy protos (addresses, listeners, filters, clusters, load assignments,
 * routes) and print them as JSON. Generators say what they want in Kuma's terms; the proto
 * plumbing stays here.
 */
package io.meshlite.cp.xds.envoy;
