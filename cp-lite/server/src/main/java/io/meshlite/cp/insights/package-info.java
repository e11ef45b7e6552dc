/**
 * Dataplane insights: what the control plane observed about each proxy's ADS connection, kept as
 * Kuma's {@code DataplaneInsight} resources and served as {@code DataplaneOverview}s.
 *
 * <h2>Design note</h2>
 *
 * <p>{@link io.meshlite.cp.insights.InsightRecorder} is one more set of discovery-server callbacks
 * beside the reconciler's. Each ADS stream becomes a subscription ({@code id}, {@code
 * controlPlaneInstanceId}, {@code connectTime}, {@code disconnectTime}, {@code status} counters,
 * the {@code version} kuma-dp put in the node metadata). The store is written when a stream opens
 * and when it closes; response/ACK/NACK counters only live in memory and are flushed every {@code
 * xdsServer.dataplaneStatusFlushInterval} (10s) when they changed, so the cost is one write per
 * connect, one per disconnect and at most one per proxy per interval. All writes run on one thread
 * with optimistic-locking retries, so several instances on one Postgres can share an insight.
 *
 * <p>An insight has the mesh and name of its Dataplane and is owned by it: every store deletes it
 * with the Dataplane, and the recorder creates one only while the Dataplane exists (a proxy that
 * connects before its Dataplane is stored is recorded when the Dataplane's create event arrives).
 *
 * <p>Online means a subscription with a {@code connectTime} and no {@code disconnectTime}. A
 * control plane that is killed cannot write disconnects, so at start the recorder closes every
 * subscription that names its own instance id ({@link io.meshlite.cp.insights.InstanceIds}, stable
 * across restarts) before the dp-server accepts streams; the proxies then reconnect and open new
 * subscriptions. A graceful stop writes the disconnects of the streams it closes.
 */
package io.meshlite.cp.insights;
