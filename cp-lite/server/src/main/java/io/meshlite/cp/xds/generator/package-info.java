/**
 * Envoy resource generation for one proxy: an ordered list of small, pure {@link
 * io.meshlite.cp.xds.generator.ResourceGenerator}s (the {@link
 * io.meshlite.cp.xds.generator.ProxyProfile}) turns a {@link
 * io.meshlite.cp.xds.generator.MeshContext} and the proxy's Dataplane into a {@link
 * io.meshlite.cp.xds.generator.ResourceSet}. Resource names follow Kuma 2.14's legacy naming
 * exactly ({@link io.meshlite.cp.xds.generator.KumaNames}), because users' dashboards, stats
 * queries and ProxyTemplates refer to them.
 *
 * <p>Generators never read the store, the clock or the network: everything they may use is in the
 * mesh context, so the same input always gives the same output (golden tests pin it). Later
 * concerns (admin listener, transparent proxy, DNS, mTLS, one plugin per policy) slot in as more
 * generators in the profile.
 */
package io.meshlite.cp.xds.generator;
