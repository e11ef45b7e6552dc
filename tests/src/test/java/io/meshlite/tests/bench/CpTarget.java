package io.meshlite.tests.bench;

/**
 * The kuma-cp under load.
 *
 * @param apiUrl REST API, e.g. {@code http://127.0.0.1:5681}
 * @param dpHost dp-server host (ADS)
 * @param dpPort dp-server port
 * @param diagnosticsUrl diagnostics server (for {@code /metrics}), or null
 * @param pid the process to read RSS and CPU time of, or 0 when unknown (remote)
 * @param jvmFlags the JVM flags it runs with, for the report ("" when unknown)
 */
public record CpTarget(String apiUrl, String dpHost, int dpPort, String diagnosticsUrl, long pid, String jvmFlags) {}
