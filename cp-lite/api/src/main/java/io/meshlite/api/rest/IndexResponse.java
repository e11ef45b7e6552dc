package io.meshlite.api.rest;

/**
 * The body of {@code GET /}: who answers and which version.
 *
 * @param hostname the control plane's host name
 * @param product always {@code Kuma}, so tools that check it keep working
 * @param version our version
 * @param instanceId this control-plane process
 * @param clusterId the cluster (stable per store)
 * @param gui the GUI URL (none is served; kept for shape)
 * @param basedOnKuma the Kuma version whose API we implement
 */
public record IndexResponse(
    String hostname,
    String product,
    String version,
    String instanceId,
    String clusterId,
    String gui,
    String basedOnKuma) {}
