/**
 * The metrics hijacker: one Prometheus endpoint that serves Envoy's stats merged with the
 * application's own metrics, as Kuma's kuma-dp does (kuma-dp-spec §7.2).
 *
 * <p>It listens on the Unix socket {@code <workdir>/kuma-mh-<name>-<mesh>.sock}, where the
 * control plane's Prometheus listener (MeshMetric, port 5670) routes scrapes, and, when {@code
 * --metrics-port} is set, on a TCP port too (ours: VMs without the control-plane-generated
 * Prometheus listener). Each scrape fetches Envoy's {@code /stats?format=prometheus&text_readouts}
 * and every application endpoint listed in the bootstrap response ({@code
 * kumaSidecarConfiguration.metrics.aggregate}), one after the other with a short timeout each, and
 * concatenates them in the Prometheus text format 0.0.4 ({@link
 * io.meshlite.agent.metrics.MetricsMerger}). One thread serves both listeners, one request at a
 * time: a scrape endpoint needs no more.
 */
package io.meshlite.agent.metrics;
