/**
 * kuma-dp's embedded DNS stub (Kuma's DNS proxy, kuma-dp-spec §6).
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li>Serves UDP and TCP on 127.0.0.1:15053 by default ({@link
 *       io.meshlite.agent.dns.DnsStubConfig}).
 *   <li>A and AAAA (class IN) for names of the current {@link io.meshlite.agent.dns.DnsTable} are
 *       answered locally: NOERROR, authoritative, the table's TTL, an empty answer (NODATA) when
 *       the name has no address of that family. Lookup ignores case; the reply echoes the question
 *       as sent.
 *   <li>Everything else (other names, other types even for mesh names, other classes) is forwarded,
 *       as Kuma does, to the {@code nameserver}s of resolv.conf: UDP first, TCP when a TCP client's
 *       answer comes back truncated, the next upstream after {@code upstreamAttemptTimeout},
 *       SERVFAIL at {@code queryTimeout}. An upstream that is the stub itself is skipped so a query
 *       can never loop.
 *   <li>Upstream answers are cached for their TTL (negative answers for the SOA minimum), bounded
 *       in entries and bytes, least recently used out first. Kuma has no cache; ours never serves a
 *       TTL longer than what is left.
 *   <li>The table arrives from the control plane's {@code /dns} body ({@link
 *       io.meshlite.agent.dns.DnsProxyConfig}); the first one opens the readiness gate ({@link
 *       io.meshlite.agent.dns.DnsStub#ready()}).
 * </ul>
 *
 * <h2>Design</h2>
 *
 * One Netty event loop thread runs every socket: the client UDP and TCP listeners, one shared
 * upstream UDP socket and short-lived upstream TCP connections. All query state (scratch buffers,
 * cache, waiting queries) is confined to that thread; only the mesh table crosses threads, as an
 * immutable compiled index behind an {@code AtomicReference}.
 *
 * <p>The query path reads the header and question by hand ({@code Wire}) rather than through
 * dnsjava's {@code Message}, which would allocate a parsed message per query; a mesh-name answer is
 * the copied question plus a pre-encoded answer section whose names point at the question. dnsjava
 * parses upstream answers for the cache policy and builds every message in the tests.
 *
 * <p>Bounds: queries waiting for an upstream ({@code maxInFlight}, then SERVFAIL), cache entries
 * and bytes, open client TCP connections, TCP query size (a larger length prefix closes the
 * connection), idle TCP connections. Malformed packets are dropped (a response, or shorter than a
 * header) or answered FORMERR (readable header), and counted.
 *
 * <p>Kuma differences: Kuma rejects (FORMERR) queries with more than one question, as its DNS
 * library does, and so does this stub; Kuma fails to start without a nameserver, this stub starts
 * and answers SERVFAIL for non-mesh names; Kuma uses only the first nameserver, this stub tries
 * them in order; replies set RA.
 */
package io.meshlite.agent.dns;
