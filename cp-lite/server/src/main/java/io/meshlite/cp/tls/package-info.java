/**
 * The control plane's own TLS: the identity its servers present (dp-server 5678, HTTPS API 5682)
 * and the TLS parts of the Envoy bootstrap.
 *
 * <p>{@link io.meshlite.cp.tls.CpTlsLoader} takes the configured certificate and key files, or
 * else generates a CA and a server certificate on first start. The CA is kept in GlobalSecret
 * {@code cp-tls-ca} (so instances on one durable store share it) and in the work directory ({@code
 * kuma-cp.crt} and {@code kuma-cp-ca.key}, so a restart with the memory store keeps it, as Kuma
 * keeps its generated certificate there); the server certificate is kept in {@code cp-tls-cert} /
 * {@code cp-tls-key} and reissued by the same CA when a needed name is missing. {@code kuma-cp.crt}
 * is what users pass to {@code kuma-dp --ca-cert-file}. {@link io.meshlite.cp.tls.BootstrapTls}
 * adds Kuma's {@code cp_validation_ctx} secret and the TLS transport socket (SNI = xDS host) to the
 * ADS cluster, or the reloadable-token form (Google gRPC with a file-based token credential).
 */
package io.meshlite.cp.tls;
