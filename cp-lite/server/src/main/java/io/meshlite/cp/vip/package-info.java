/**
 * VIPs for transparent proxying: one IPv4 address per {@code kuma.io/service} per mesh, from Kuma
 * 2.x's range {@code 240.0.0.0/4}, so applications can call {@code <service>.mesh:80} (or the VIP)
 * without listing outbounds.
 *
 * <h2>Design note</h2>
 *
 * <p>The table of a mesh lives in the store as Kuma's system {@code Config} named {@code
 * kuma-<mesh>-dns-vips}, in Kuma's own JSON format ({@link io.meshlite.cp.vip.VipTable}), so it is
 * as durable as the store: SQLite and Postgres keep VIPs stable across control-plane restarts, and
 * the Kubernetes store keeps the table as Kuma does, in the ConfigMap {@code kuma-<mesh>-dns-vips} of
 * the system namespace (the memory store, like Kuma's, does not keep it). The {@link io.meshlite.cp.vip.VipAllocator} component
 * writes it; everything else only reads it: the mesh context of the xDS generators loads it with
 * the Dataplanes, and its store event makes the reconciler regenerate the mesh's proxies.
 *
 * <p>Allocation ({@link io.meshlite.cp.vip.VipAllocation}) is a pure function of the stored table
 * and the set of services, so two control planes on one Postgres compute the same answer;
 * optimistic concurrency on the Config (update with the version read, retry on conflict) settles
 * races. A service keeps its VIP for as long as it exists. When its last Dataplane goes, the VIP
 * stays reserved for a grace period ({@code unusedSince} in the entry, five minutes by default)
 * so that a restarting service gets the same address back and cached DNS answers never point at
 * another service; then it is released and may be reused (lowest free address first).
 *
 * <p>Differences from Kuma 2.14: Kuma releases a VIP as soon as the service is gone and keeps one
 * address space across all meshes; we reserve for a grace period and allocate per mesh (a proxy
 * only ever sees its own mesh). External services and VirtualOutbounds get no VIPs yet.
 */
package io.meshlite.cp.vip;
