/**
 * The dataplane server (Kuma's {@code dpServer}, port 5678): {@code POST /bootstrap} for kuma-dp
 * and the ADS gRPC service for Envoy, on one Armeria port (TLS by default; see {@code
 * io.meshlite.cp.tokens.dp.DpSecurity} for TLS and dataplane token authentication).
 *
 * <p>Java-control-plane's {@code V3DiscoveryServer} serves snapshots from a {@link
 * io.meshlite.cp.dpserver.ShardedSnapshotCache} (its {@code SimpleCache}, split by node id so pushes
 * do not share one lock); {@link io.meshlite.cp.xds.XdsReconciler} fills that cache. Because Envoy sends
 * its node only on the first request of a stream ({@code setNodeOnFirstMessageOnly}) and
 * java-control-plane looks the node up on every request, {@link
 * io.meshlite.cp.dpserver.NodeCarryingAds} copies the stream's node onto later requests.
 *
 * <p>ADS is served by {@code GrpcBridgeService}, a small gRPC server on Armeria's HTTP/2 (binary
 * gRPC, identity encoding, no deadlines), not by Armeria's {@code GrpcService}, whose builder always
 * generates JSON marshallers with ByteBuddy (≈ 12 MiB of RSS, docs/bench/xds.md). Each call is a
 * {@code GrpcBridgeCall}: listener callbacks one at a time on the request's event loop, writes from
 * any thread under the call's lock, and exactly one {@code onComplete} or {@code onCancel} at the end.
 */
package io.meshlite.cp.dpserver;
