/**
 * MeshTrafficPermission (and the legacy TrafficPermission) → Envoy RBAC on mTLS inbounds.
 *
 * <p>With mTLS on, every inbound gets exactly one outcome ({@link
 * io.meshlite.cp.policy.trafficpermission.InboundPermission}): the merged {@code from[]} rules of
 * the MeshTrafficPermissions selecting it (policy key {@code MeshTrafficPermission}; an HTTP RBAC
 * filter in the connection manager for HTTP inbounds, a network RBAC filter otherwise); failing
 * that, the best matching legacy TrafficPermission (a network RBAC filter keyed by its name, as
 * Kuma 2.14's inbound generator does); failing that, deny all (Kuma 2.x has no default
 * permission). Principals are SPIFFE IDs ({@code spiffe://<mesh>/<service>}) and tag IDs ({@code
 * kuma://<tag>/<value>}) from the client's certificate SANs.
 */
package io.meshlite.cp.policy.trafficpermission;
