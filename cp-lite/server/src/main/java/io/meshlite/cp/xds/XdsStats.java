package io.meshlite.cp.xds;

/**
 * Counters of the reconciler since start.
 *
 * @param connectedProxies proxies with at least one open ADS stream
 * @param generations reconcile runs
 * @param pushes snapshots set because content changed
 * @param unchanged runs whose content equalled the last snapshot (nothing pushed)
 * @param failures runs that failed to generate (the proxy kept its last good snapshot)
 * @param meshRefreshes times a mesh moved to a new context after store events
 * @param skipped connected proxies a mesh refresh left alone because the change cannot affect them
 */
public record XdsStats(
    int connectedProxies, long generations, long pushes, long unchanged, long failures, long meshRefreshes, long skipped) {}
