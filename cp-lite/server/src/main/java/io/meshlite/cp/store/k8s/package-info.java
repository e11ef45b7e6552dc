/**
 * The Kubernetes store ({@code KUMA_STORE_TYPE=kubernetes}): Kuma's resources as custom resources
 * of group {@code kuma.io/v1alpha1} (Secrets as native Secrets, Kuma's internal Configs such as the
 * VIP table as ConfigMaps, both in the system namespace), written through fabric8's client
 * with resourceVersion-guarded updates and watched with informers.
 *
 * <p>Design notes. (1) Names: Kuma's {@code <name>.<namespace>} rule for namespaced types, plus a
 * deterministic generated name in the system namespace for names without that form ({@link
 * io.meshlite.cp.store.k8s.K8sNames}), so universal-style names also work on a real API server.
 * (2) The store's version is a per-object counter in an annotation; concurrency control is the
 * API server's resourceVersion check. (3) Events: own writes are announced on commit, watches
 * announce everybody else's; a ledger keyed by resourceVersion announces each change once
 * ({@link io.meshlite.cp.store.k8s.EventLedger}). (4) Reads go to the API server (read-your-writes);
 * a cache in front of it is future work.
 */
package io.meshlite.cp.store.k8s;
