/**
 * The xDS reconciler: the control plane's heartbeat.
 *
 * <h2>Design note</h2>
 *
 * <p>A store change event marks its mesh changed. After a few milliseconds (bursts of events
 * collapse into one run) the mesh is refreshed: its new {@link
 * io.meshlite.cp.xds.generator.MeshContext} is built once and compared with the one the proxies
 * were generated from ({@link io.meshlite.cp.xds.generator.AffectedProxies}), and only the proxies
 * the difference can affect are marked dirty: a Dataplane itself, the callers of a service whose
 * endpoints changed, every proxy for a Mesh or mTLS change. Each connected proxy has one {@link
 * io.meshlite.cp.xds.ProxyLane}: a sequential executor over a shared worker pool, so one proxy's
 * work never runs concurrently with itself and needs no lock, while different proxies proceed in
 * parallel. A dirty lane takes its mesh's current context, runs the {@link
 * io.meshlite.cp.xds.generator.ProxyProfile}, hashes each resource type and calls {@code
 * setSnapshot} only when a hash changed. Resources that are the same for many proxies (a service's
 * load assignment and cluster, an outbound listener) are one shared instance, hashed once. Versions
 * are the content hashes per type, not one global counter, so unchanged types are never re-sent and
 * a reconnecting Envoy that already has the content gets nothing new. The endpoint version folds in
 * the cluster version, so new clusters always receive their load assignments.
 *
 * <p>If generation fails, the proxy keeps its last good snapshot and the failure is logged and
 * counted. A slow periodic resync re-marks every proxy dirty as a safety net only.
 *
 * <p>Connected proxies are tracked through java-control-plane's {@code DiscoveryServerCallbacks}:
 * the first request of a stream carries the node; the stream close ends it. When a proxy's last
 * stream closes, its lane is dropped and its snapshot cleared.
 *
 * <p>java-control-plane's {@code SimpleCache} answers open watches under one cache-wide monitor
 * in {@code setSnapshot}; the dp-server therefore uses {@code ShardedSnapshotCache}, so pushes to
 * proxies in different shards do not wait for each other.
 */
package io.meshlite.cp.xds;
