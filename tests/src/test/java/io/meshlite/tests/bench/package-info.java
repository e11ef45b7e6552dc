/**
 * The xDS load harness: registers N Dataplanes across M services through kuma-cp's REST API,
 * opens N ADS streams that behave like Envoy (node on the first request, CDS then EDS then LDS
 * then RDS, SDS for the secrets TLS contexts name, every response ACKed with its version and nonce or NACKed on purpose, SotW or
 * delta), and measures the time until every stream has its first full configuration, how long a
 * change takes to reach every proxy it affects, the bytes the control plane sent and its RSS and
 * CPU time.
 *
 * <h2>Design note</h2>
 *
 * <p>Benchmarks are not tests: nothing here is named {@code *Test} or {@code *IT}, so neither
 * surefire nor failsafe runs it. {@link io.meshlite.tests.bench.XdsLoadBench} is the command-line
 * entry point ({@code scripts/bench-xds.sh}); {@code XdsLoadSmokeIT} runs the same {@link
 * io.meshlite.tests.bench.XdsLoadHarness} at N=20 so it cannot rot.
 *
 * <p>Each simulated proxy keeps the resources it has ACKed in a {@link
 * io.meshlite.tests.bench.ProxyView}. "Converged" is decided by looking at those resources, never
 * at version strings: a change counts as delivered to a proxy when the proxy ACKs a response whose
 * resources contain it (the new endpoint, the new cluster and listener, the caller's SPIFFE ID in
 * an inbound's RBAC filter). The expected content comes
 * from the {@link io.meshlite.tests.bench.Topology}, which mirrors what was written to the API.
 *
 * <p>Streams share a handful of HTTP/2 connections by default (one client factory per
 * connection, all on one small event-loop group); {@code --connections=per-proxy} opens one
 * connection per stream, as a fleet of Envoys does.
 */
package io.meshlite.tests.bench;
