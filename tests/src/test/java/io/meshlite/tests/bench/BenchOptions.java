package io.meshlite.tests.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one harness run does.
 *
 * @param dataplanes N: Dataplanes registered, one ADS stream each
 * @param services M: services they are spread across
 * @param outbounds outbounds per Dataplane
 * @param hub whether every service's first outbound is {@code svc-000}, so an instance of it
 *     affects all N proxies
 * @param connections HTTP/2 connections the streams share; 0 = one per stream (like Envoy)
 * @param eventLoops the harness's event-loop threads
 * @param delta incremental xDS instead of State-of-the-World
 * @param nackFraction probability of NACKing any one response (0 = ACK everything)
 * @param seed seeds the NACK decisions
 * @param rounds how often each change is repeated
 * @param changes which changes, in order, each round (see {@link XdsLoadHarness#CHANGES})
 * @param settle how long to keep counting pushes after a change converged
 * @param configTimeout how long every stream may take to get its first full configuration
 * @param changeTimeout how long a change may take to reach every affected proxy
 * @param registerConcurrency parallel REST writes while registering
 * @param tokens the dataplane token for each stream ({@code authorization} metadata)
 * @param warmup proxies of a separate mesh that first go through the same run (3 rounds of every
 *     change) and leave, so neither JVM is measured cold; 0 = measure a cold kuma-cp
 * @param mtls builtin mTLS on the bench mesh (and the warm-up mesh) plus an allow-all
 *     MeshTrafficPermission, both before any proxy connects: every proxy then gets an identity
 *     certificate over SDS and an RBAC filter on its inbounds; needed by the {@code permission}
 *     change
 */
public record BenchOptions(
    int dataplanes,
    int services,
    int outbounds,
    boolean hub,
    int connections,
    int eventLoops,
    boolean delta,
    double nackFraction,
    long seed,
    int rounds,
    List<String> changes,
    Duration settle,
    Duration configTimeout,
    Duration changeTimeout,
    int registerConcurrency,
    TokenSource tokens,
    int warmup,
    boolean mtls) {

  /** Where a stream's dataplane token comes from (none yet: the dp-server has no auth). */
  @FunctionalInterface
  public interface TokenSource {
    TokenSource NONE = (mesh, name) -> null;

    /** The raw JWT for this Dataplane, or null to send none. */
    String token(String mesh, String dataplane);
  }

  public BenchOptions {
    changes = List.copyOf(changes);
    if (dataplanes < 1 || services < 1 || services > dataplanes) {
      throw new IllegalArgumentException("need 1 <= services <= dataplanes");
    }
    if (nackFraction < 0 || nackFraction >= 1) {
      throw new IllegalArgumentException("nack fraction must be in [0, 1)");
    }
    for (String c : changes) {
      if (!XdsLoadHarness.ALL_CHANGES.contains(c)) {
        throw new IllegalArgumentException(
            "unknown change " + c + " (expected one of " + XdsLoadHarness.ALL_CHANGES + ")");
      }
    }
    if (changes.contains(XdsLoadHarness.PERMISSION) && !mtls) {
      throw new IllegalArgumentException(
          "change permission needs --mtls: without mTLS kuma-cp puts no RBAC filter on any inbound, so a"
              + " MeshTrafficPermission reaches no proxy");
    }
  }

  public static BenchOptions defaults() {
    return new BenchOptions(
        1000, 100, 4, true, 4, 2, false, 0, 1, 5, XdsLoadHarness.CHANGES, Duration.ofMillis(500),
        Duration.ofSeconds(120), Duration.ofSeconds(60), 8, TokenSource.NONE, 200, false);
  }

  public BenchOptions withSize(int n, int m) {
    return new BenchOptions(
        n, m, outbounds, hub, connections, eventLoops, delta, nackFraction, seed, rounds, changes, settle,
        configTimeout, changeTimeout, registerConcurrency, tokens, warmup, mtls);
  }

  public BenchOptions withRounds(int r, Duration settleFor) {
    return new BenchOptions(
        dataplanes, services, outbounds, hub, connections, eventLoops, delta, nackFraction, seed, r, changes,
        settleFor, configTimeout, changeTimeout, registerConcurrency, tokens, warmup, mtls);
  }

  public BenchOptions withNack(double fraction) {
    return new BenchOptions(
        dataplanes, services, outbounds, hub, connections, eventLoops, delta, fraction, seed, rounds, changes,
        settle, configTimeout, changeTimeout, registerConcurrency, tokens, warmup, mtls);
  }

  public BenchOptions withProtocol(boolean useDelta, List<String> changeList) {
    return new BenchOptions(
        dataplanes, services, outbounds, hub, connections, eventLoops, useDelta, nackFraction, seed, rounds,
        changeList, settle, configTimeout, changeTimeout, registerConcurrency, tokens, warmup, mtls);
  }

  public BenchOptions withWarmup(int w) {
    return new BenchOptions(
        dataplanes, services, outbounds, hub, connections, eventLoops, delta, nackFraction, seed, rounds, changes, settle,
        configTimeout, changeTimeout, registerConcurrency, tokens, w, mtls);
  }

  /** The options of the warm-up run: {@code warmup} proxies, 3 rounds, quick settling. */
  BenchOptions forWarmup() {
    int n = Math.max(warmup, 2);
    return new BenchOptions(
        n, Math.max(2, n / 10), outbounds, hub, connections, eventLoops, delta, nackFraction, seed, 3,
        XdsLoadHarness.defaultChanges(mtls), Duration.ofMillis(100), configTimeout, changeTimeout,
        registerConcurrency, tokens, 0, mtls);
  }

  /**
   * With builtin mTLS (and an allow-all MeshTrafficPermission) on or off; with it on and the
   * default change list, {@code permission} is appended.
   */
  public BenchOptions withMtls(boolean on) {
    List<String> c = changes;
    if (on && c.equals(XdsLoadHarness.CHANGES)) {
      c = XdsLoadHarness.defaultChanges(true);
    } else if (!on) {
      c = c.stream().filter(k -> !k.equals(XdsLoadHarness.PERMISSION)).toList();
    }
    return new BenchOptions(
        dataplanes, services, outbounds, hub, connections, eventLoops, delta, nackFraction, seed, rounds, c, settle,
        configTimeout, changeTimeout, registerConcurrency, tokens, warmup, on);
  }

  public BenchOptions withConnections(int c) {
    return new BenchOptions(
        dataplanes, services, outbounds, hub, c, eventLoops, delta, nackFraction, seed, rounds, changes, settle,
        configTimeout, changeTimeout, registerConcurrency, tokens, warmup, mtls);
  }

  /**
   * Parses {@code --name=value} options over the defaults; returns the rest (options the caller
   * handles) in {@code rest}.
   */
  static BenchOptions parse(List<String> args, Map<String, String> rest) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a + " (options look like --name=value)");
      }
      int eq = a.indexOf('=');
      kv.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
    }
    BenchOptions d = defaults();
    int n = intOf(kv, "dataplanes", d.dataplanes());
    int m = intOf(kv, "services", Math.min(n, Math.max(1, n / 10)));
    String conns = kv.getOrDefault("connections", Integer.toString(d.connections()));
    kv.remove("connections");
    int connections = conns.equals("per-proxy") ? 0 : Integer.parseInt(conns);
    String protocol = kv.getOrDefault("protocol", "sotw");
    kv.remove("protocol");
    if (!protocol.equals("sotw") && !protocol.equals("delta")) {
      throw new IllegalArgumentException("--protocol must be sotw or delta");
    }
    boolean mtls = Boolean.parseBoolean(kv.getOrDefault("mtls", "false"));
    kv.remove("mtls");
    List<String> changes = new ArrayList<>(XdsLoadHarness.defaultChanges(mtls));
    if (kv.containsKey("changes")) {
      String c = kv.remove("changes");
      changes = c.isEmpty() || c.equals("none") ? List.of() : List.of(c.split(","));
    }
    String token = kv.remove("token");
    BenchOptions o =
        new BenchOptions(
            n,
            m,
            intOf(kv, "outbounds", d.outbounds()),
            Boolean.parseBoolean(kv.getOrDefault("hub", "true")),
            connections,
            intOf(kv, "event-loops", d.eventLoops()),
            protocol.equals("delta"),
            Double.parseDouble(kv.getOrDefault("nack", "0")),
            Long.parseLong(kv.getOrDefault("seed", "1")),
            intOf(kv, "rounds", d.rounds()),
            changes,
            Duration.ofMillis(Long.parseLong(kv.getOrDefault("settle-ms", "500"))),
            Duration.ofSeconds(Long.parseLong(kv.getOrDefault("config-timeout-s", "120"))),
            Duration.ofSeconds(Long.parseLong(kv.getOrDefault("change-timeout-s", "60"))),
            intOf(kv, "register-concurrency", d.registerConcurrency()),
            token == null ? TokenSource.NONE : (mesh, name) -> token,
            intOf(kv, "warmup", d.warmup()),
            mtls);
    for (String k : List.of("hub", "nack", "seed", "settle-ms", "config-timeout-s", "change-timeout-s")) {
      kv.remove(k);
    }
    rest.putAll(kv);
    return o;
  }

  private static int intOf(Map<String, String> kv, String key, int fallback) {
    String v = kv.remove(key);
    return v == null ? fallback : Integer.parseInt(v);
  }

  /** One line naming every option, for the report. */
  public String describe() {
    return ("dataplanes=%d services=%d outbounds=%d hub=%s connections=%s protocol=%s nack=%s rounds=%d warmup=%d"
            + " mtls=%s changes=%s")
        .formatted(
            dataplanes, services, outbounds, hub, connections == 0 ? "per-proxy" : connections,
            delta ? "delta" : "sotw", nackFraction, rounds, warmup, mtls, String.join(",", changes));
  }
}
