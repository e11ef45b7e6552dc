/**
 * Mesh certificate authorities and dataplane identities (Kuma 2.14's builtin and provided CAs).
 *
 * <h2>Design note</h2>
 *
 * <p>A mesh with {@code mtls.enabledBackend} gets a CA: a {@code builtin} one is generated once
 * (RSA, 2048 bits and 10 years by default) and stored as two mesh Secrets, {@code
 * <mesh>.ca-builtin-cert-<backend>} and {@code <mesh>.ca-builtin-key-<backend>}, by {@link
 * io.meshlite.cp.ca.CaManager} with create-if-absent writes, so several control planes on one store
 * agree on one CA; a {@code provided} one is read from its data sources. {@link
 * io.meshlite.cp.ca.CaEnsurer} creates builtin CAs as soon as mTLS is enabled; the xDS path also
 * ensures them, so order does not matter.
 *
 * <p>{@link io.meshlite.cp.ca.MtlsSupport} is the xDS reconciler's entry point: it puts the CA and
 * the traffic permissions into each mesh context, and gives each proxy its workload certificate
 * from {@link io.meshlite.cp.ca.DataplaneIdentities}, which issues in memory (fresh RSA-2048 key,
 * empty subject, {@code spiffe://<mesh>/<service>} and {@code kuma://<tag>/<value>} URI SANs) and
 * renews at 4/5 of the lifetime, or at once when the CA, the lifetime or the proxy's tags change.
 * The reconciler schedules a regeneration of the proxy at the renewal time. Certificates and keys
 * reach Envoy only over SDS on the ADS stream; nothing writes them to disk.
 */
package io.meshlite.cp.ca;
