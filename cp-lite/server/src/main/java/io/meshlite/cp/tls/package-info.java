/**
 * The control plane's own TLS: the identity its servers present (dp-server 5678, HTTPS API 5682)
 * and the TLS parts of the Envoy bootstrap.
 *
 * <p>{@link io.meshlite.cp.tls.CpTlsLoader} takes the configured certificate and key files, or
 * else generates a CA and a server certificate on first start and keeps them in GlobalSecrets
 * ({@code cp-tls-ca}, {@code cp-tls-cert}, {@code cp-tls-key}) so a durable store keeps the same CA
 * across restarts and instances. The CA is also written to {@code <general.workDir>/kuma-cp.crt}
 * for {@code kuma-dp --ca-cert-file}. {@link io.meshlite.cp.tls.BootstrapTls} adds Kuma's {@code
 * cp_validation_ctx} secret and the TLS transport socket (SNI = xDS host) to the ADS cluster, or
 * the reloadable-token form (Google gRPC with a file-based token credential).
 */
package io.meshlite.cp.tls;
