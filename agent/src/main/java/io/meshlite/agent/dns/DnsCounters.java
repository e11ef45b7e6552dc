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

  /**
   * The counters in Prometheus text format (0.0.4), {@code kuma_dp_dns_*}: what kuma-dp adds to the
   * merged metrics it serves next to Envoy's.
   */
  public String prometheus() {
    StringBuilder out = new StringBuilder();
    counter(out, "queries_total", "Queries accepted, by question type.");
    queriesByType.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> sample(out, "queries_total", "type", e.getKey(), e.getValue()));
    counter(out, "answers_total", "Queries answered from the mesh table (local), the cache, or sent upstream.");
    sample(out, "answers_total", "source", "local", answeredLocal);
    sample(out, "answers_total", "source", "cache", answeredFromCache);
    sample(out, "answers_total", "source", "upstream", forwarded);
    counter(out, "responses_total", "Responses sent, by response code.");
    responsesByRcode.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> sample(out, "responses_total", "rcode", e.getKey(), e.getValue()));
    simple(out, "upstream_failures_total", "Forwarded queries that ended in SERVFAIL.", upstreamFailures);
    simple(out, "upstream_timeouts_total", "Upstream attempts without an answer in time.", upstreamTimeouts);
    simple(out, "truncated_retries_total", "Truncated upstream answers retried over TCP.", truncatedRetries);
    simple(out, "malformed_total", "Packets that are not an acceptable query (dropped or FORMERR).", malformedDropped);
    simple(out, "tcp_too_large_total", "TCP connections closed for an oversized query.", tcpFramesTooLarge);
    simple(out, "tcp_rejected_total", "TCP connections closed because too many were open.", tcpConnectionsRejected);
    simple(out, "overload_rejected_total", "Queries refused because too many waited for upstreams.", overloadRejected);
    simple(out, "forwarding_loops_total",
        "Forwarded queries that came back to the stub (kuma-dp not running as the exempt user).", forwardingLoops);
    gauge(out, "cache_entries", "Answers in the cache.", cacheEntries);
    gauge(out, "in_flight", "Queries waiting for an upstream.", inFlight);
    gauge(out, "table_names", "Names in the mesh table.", tableNames);
    return out.toString();
  }

  private static final String PREFIX = "kuma_dp_dns_";

  private static void counter(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(PREFIX).append(name).append(" counter\n");
  }

  private static void sample(StringBuilder out, String name, String label, String value, long v) {
    out.append(PREFIX).append(name).append('{').append(label).append("=\"").append(value).append("\"} ").append(v).append('\n');
  }

  private static void simple(StringBuilder out, String name, String help, long v) {
    counter(out, name, help);
    out.append(PREFIX).append(name).append(' ').append(v).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long v) {
    out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(PREFIX).append(name).append(" gauge\n");
    out.append(PREFIX).append(name).append(' ').append(v).append('\n');
  }

  /** All accepted queries. */
  public long queries() {
    return queriesByType.values().stream().mapToLong(Long::longValue).sum();
  }
}
