/**
 * The dataplane lifecycle on the control plane side: self-registration of Dataplanes that kuma-dp
 * sends with {@code --dataplane-file} / {@code --dataplane}, and the sidecar settings (application
 * metrics to merge) handed back in the bootstrap response.
 *
 * <h2>Design note</h2>
 *
 * <p>kuma-dp puts the rendered Dataplane into {@code dataplaneResource} of its bootstrap request.
 * {@code BootstrapHandler} validates it (422 on error) and the bootstrap generator copies it into
 * the Envoy node metadata {@code dataplane.resource}, exactly as Kuma does. The Dataplane is
 * therefore carried to the ADS side by Envoy itself: {@link
 * io.meshlite.cp.dpserver.lifecycle.DataplaneLifecycle} reads it from the node of the first
 * request of each ADS stream. This keeps the bootstrap stateless (nothing is remembered between
 * {@code /bootstrap} and the stream, which may even reach another control plane instance) and makes
 * a restarted Envoy re-register by itself.
 *
 * <p>On the first stream of a proxy the Dataplane is validated again (node metadata comes from the
 * network) and upserted with its own labels; the stored version is remembered in memory. When the
 * proxy's last stream closes, deletion is scheduled after {@code
 * xdsServer.dataplaneDeregistrationDelay} (10s); a reconnect cancels it. At that time the Dataplane
 * is deleted only if it still has the version this control plane wrote, so a Dataplane that a user
 * applied with kumactl, or that the proxy re-registered through another control plane instance, is
 * never removed. Only Dataplanes registered this way are tracked, so Dataplanes applied by users and
 * used by a kuma-dp started with {@code --name}/{@code --mesh} are left alone. When the control
 * plane itself stops, pending deletions are dropped (the proxies will reconnect elsewhere), as in
 * Kuma.
 *
 * <p>All registry state is owned by one thread ({@code dp-lifecycle}); the gRPC threads only hand
 * events to it, so store writes never block an event loop.
 */
package io.meshlite.cp.dpserver.lifecycle;
