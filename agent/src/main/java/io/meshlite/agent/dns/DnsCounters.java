package io.meshlite.agent.dns;

import java.util.Map;

/**
 * A snapshot of the stub's counters since it was created. Every field only grows, except the gauges
 * at the end. Kuma's DNS proxy exports comparable series ({@code source} local/upstream, request
 * type, rcode, upstream failures).
 *
 * @param queriesByType accepted queries by question type ({@code A}, {@code AAAA}, ... and {@code
 *     OTHER})
 * @param answeredLocal queries answered from the mesh table ({@code source=local})
 * @param answeredFromCache queries answered from the upstream cache
 * @param forwarded queries sent to an upstream resolver ({@code source=upstream})
 * @param responsesByRcode replies sent, by response code ({@code NOERROR}, {@code NXDOMAIN}, ...)
 * @param upstreamFailures forwarded queries that ended in SERVFAIL (timeout, no upstream, TCP
 *     error)
 * @param upstreamTimeouts upstream attempts that got no answer in time (each retry counts)
 * @param truncatedRetries truncated upstream answers retried over TCP
 * @param malformedDropped packets that are not an acceptable query: dropped (shorter than a header,
 *     or a response) or answered FORMERR (broken question, more than one question, ...)
 * @param tcpFramesTooLarge TCP connections closed because a query exceeded the size limit
 * @param tcpConnectionsRejected TCP connections closed because too many were open
 * @param overloadRejected queries refused (SERVFAIL) because too many were waiting for upstreams
 * @param forwardingLoops forwarded queries that came back to this stub instead of reaching an
 *     upstream (kuma-dp not running as the transparent proxy's exempt user): answered SERVFAIL
 * @param cacheEntries gauge: answers in the cache now
 * @param inFlight gauge: queries waiting for an upstream now
 * @param tableNames gauge: names in the current mesh table
 */
public record DnsCounters(
    Map<String, Long> queriesByType,
    long answeredLocal,
    long answeredFromCache,
    long forwarded,
    Map<String, Long> responsesByRcode,
    long upstreamFailures,
    long upstreamTimeouts,
    long truncatedRetries,
    long malformedDropped,
    long tcpFramesTooLarge,
    long tcpConnectionsRejected,
    long overloadRejected,
    long forwardingLoops,
    int cacheEntries,
    int inFlight,
    int tableNames) {

  public DnsCounters {
    queriesByType = Map.copyOf(queriesByType);
    responsesByRcode = Map.copyOf(responsesByRcode);
  }

  /** All accepted queries. */
  public long queries() {
    return queriesByType.values().stream().mapToLong(Long::longValue).sum();
  }
}
