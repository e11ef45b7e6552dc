/**
 * The xDS reconciler: the control plane's heartbeat.
 *
 * <h2>Design note</h2>
 *
 * <p>A store change event marks the connected proxies of the affected mesh dirty. Each connected
 * proxy has one {@link io.meshlite.cp.xds.ProxyLane}: a sequential executor over a shared worker
 * pool, so one proxy's work never runs concurrently with itself and needs no lock, while
 * different proxies proceed in parallel. A dirty lane waits a few milliseconds (bursts of events
 * collapse into one run), takes the mesh's {@link io.meshlite.cp.xds.generator.MeshContext} (built
 * once per mesh change and shared, see {@link io.meshlite.cp.xds.MeshContexts}), runs the {@link
 * io.meshlite.cp.xds.generator.ProxyProfile}, hashes each resource type and calls {@code
 * setSnapshot} only when a hash changed. Versions are the content hashes per type, not one global
 * counter, so unchanged types are never re-sent and a reconnecting Envoy that already has the
 * content gets nothing new. The endpoint version folds in the cluster version, so new clusters
 * always receive their load assignments.
 *
 * <p>If generation fails, the proxy keeps its last good snapshot and the failure is logged and
 * counted. A slow periodic resync re-marks every proxy dirty as a safety net only.
 *
 * <p>Connected proxies are tracked through java-control-plane's {@code DiscoveryServerCallbacks}:
 * the first request of a stream carries the node; the stream close ends it. When a proxy's last
 * stream closes, its lane is dropped and its snapshot cleared.
 *
 * <p>Known limit (scale issue): java-control-plane's {@code SimpleCache} answers open watches
 * synchronously under its own lock during {@code setSnapshot}. Our lanes keep that call short
 * (resources are built and hashed before it), but many proxies pushing at once still serialise on
 * that lock.
 */
package io.meshlite.cp.xds;
