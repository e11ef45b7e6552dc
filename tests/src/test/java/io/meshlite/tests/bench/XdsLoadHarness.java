package io.meshlite.tests.bench;

import io.meshlite.tests.bench.BenchReport.ChangeResult;
import io.meshlite.tests.bench.BenchReport.FirstConfig;
import io.meshlite.tests.bench.Topology.Dp;
import io.meshlite.tests.bench.Topology.Expected;
import io.meshlite.tests.bench.Topology.Outbound;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * One load run against a kuma-cp: register the topology, open every stream, wait for every
 * first configuration, then apply each change {@code rounds} times and time its arrival at every
 * affected proxy. Single-use; not thread-safe (the streams call back on the client's event loops,
 * everything else runs on the caller's thread).
 */
public final class XdsLoadHarness {
  /**
   * The changes, in the order they run each round.
   *
   * <ul>
   *   <li>{@code endpoint-hub}: a new Dataplane (instance) of the hub service: EDS of every proxy
   *       that calls it (all of them with a hub).
   *   <li>{@code endpoint-leaf}: a new instance of another service: EDS of its callers only.
   *   <li>{@code endpoint-remove}: deletes this round's hub (else leaf) instance again.
   *   <li>{@code new-service}: a Dataplane of a brand-new service registers and its proxy
   *       connects: its own first configuration; nobody else should get a push.
   *   <li>{@code outbound-add}: an existing Dataplane gains an outbound to that new service: CDS,
   *       EDS and LDS of that one proxy.
   * </ul>
   *
   * <p>With {@code --mtls}, {@link #PERMISSION} runs last each round.
   */
  public static final List<String> CHANGES =
      List.of("endpoint-hub", "endpoint-leaf", "endpoint-remove", "new-service", "outbound-add");

  /**
   * A new MeshTrafficPermission targeting the hub service that denies one caller service, a
   * different one each round: LDS (the RBAC filter of the inbound) of every hub instance. Needs
   * {@code --mtls}.
   */
  public static final String PERMISSION = "permission";

  /** Every change kind. */
  public static final List<String> ALL_CHANGES = defaultChanges(true);

  /** The default change list: {@link #CHANGES}, plus {@link #PERMISSION} with mTLS. */
  public static List<String> defaultChanges(boolean mtls) {
    if (!mtls) {
      return CHANGES;
    }
    List<String> out = new ArrayList<>(CHANGES);
    out.add(PERMISSION);
    return List.copyOf(out);
  }

  /** The allow-all MeshTrafficPermission created with {@code --mtls}, as Kuma users do. */
  static final String ALLOW_ALL_SPEC =
      "{\"targetRef\":{\"kind\":\"Mesh\"},\"from\":[{\"targetRef\":{\"kind\":\"Mesh\"},"
          + "\"default\":{\"action\":\"Allow\"}}]}";

  private static final int SAMPLE = 5;

  private static final String WARMUP_MESH = "bench-warmup";

  private final BenchOptions options;
  private final CpTarget target;
  private final PrintStream log;
  private final String prefix;
  private final KumaApi api;
  private final Topology topology;
  private final Map<String, SimulatedProxy> proxies = new LinkedHashMap<>();
  private AdsChannels channels;
  private int nextIndex;

  /**
   * @param options what to do
   * @param target the kuma-cp to load
   * @param log where progress lines go
   */
  public XdsLoadHarness(BenchOptions options, CpTarget target, PrintStream log) {
    this(options, target, log, Topology.DEFAULT_MESH, "[bench] ");
  }

  private XdsLoadHarness(BenchOptions options, CpTarget target, PrintStream log, String mesh, String prefix) {
    this.options = options;
    this.target = target;
    this.log = log;
    this.prefix = prefix;
    this.api = new KumaApi(target.apiUrl(), target.diagnosticsUrl());
    this.topology = Topology.generate(mesh, options.dataplanes(), options.services(), options.outbounds(), options.hub());
  }

  /** Runs everything and closes every stream it opened. */
  public BenchReport run() throws InterruptedException {
    if (options.warmup() > 0) {
      // Both JVMs warm up on the same work in a mesh of its own (whose events do not touch the
      // measured mesh): proxies connect, every change runs a few rounds, the proxies leave.
      long t = System.nanoTime();
      prepareMesh(WARMUP_MESH);
      BenchReport warm = new XdsLoadHarness(options.forWarmup(), target, log, WARMUP_MESH, "[warm-up] ").run();
      progress(
          "warm-up done in %.1f s (%d proxies in mesh %s, %d changes)",
          (System.nanoTime() - t) / 1e9, warm.first().expected(), WARMUP_MESH, warm.changes().size());
    }
    if (options.mtls() && prefix.startsWith("[bench")) {
      prepareMesh(topology.mesh());
    }
    String loadBefore = loadAverage();
    ProcStats idle = proc();
    long t = System.nanoTime();
    register(topology, List.copyOf(topology.dataplanes()));
    double registerMillis = (System.nanoTime() - t) / 1e6;
    progress("registered %d Dataplanes in %.1f s", options.dataplanes(), registerMillis / 1000);
    ProcStats registered = proc();
    try (AdsChannels ch =
        new AdsChannels(target.dpHost(), target.dpPort(), options.connections(), options.eventLoops())) {
      channels = ch;
      Map<String, Double> threads0 = ThreadCpu.read(target.pid());
      FirstConfig first = connectAll();
      ProcStats configured = proc();
      Map<String, Double> threads1 = ThreadCpu.read(target.pid());
      ProcStats self1 = ProcStats.read(ProcessHandle.current().pid());
      List<ChangeResult> changes = new ArrayList<>();
      if (first.converged() == first.expected()) {
        for (int round = 0; round < options.rounds(); round++) {
          for (String kind : options.changes()) {
            ChangeResult r = apply(kind, round);
            changes.add(r);
            progress(
                "%s round %d: %d/%d affected streams, max %.0f ms, %d stray pushes",
                kind, round, r.converged(), r.affected(), BenchReport.percentile(r.latencyMillis(), 1.0),
                r.pushesUnaffected());
          }
        }
      } else {
        progress("not every stream got its first configuration: changes skipped");
      }
      ProcStats end = proc();
      Map<String, Double> threads2 = ThreadCpu.read(target.pid());
      String liveHeap = prefix.startsWith("[warm") ? "" : JvmHeap.afterFullGc(target.pid());
      proxies.values().forEach(SimulatedProxy::close);
      ProcStats self = ProcStats.read(ProcessHandle.current().pid());
      double harnessChangesCpu = cpuBetween(self1, self);
      return new BenchReport(
          options.describe(),
          target,
          ch.connections(),
          loadBefore,
          loadAverage(),
          idle,
          registered,
          configured,
          end,
          registerMillis,
          first,
          changes,
          self == null ? Double.NaN : self.rssMib(),
          liveHeap,
          ThreadCpu.describe(threads0, threads1, 6),
          ThreadCpu.describe(threads1, threads2, 6),
          harnessChangesCpu);
    } finally {
      proxies.values().forEach(SimulatedProxy::close);
    }
  }

  // ------------------------------------------------------------------ registration and first config

  /**
   * Creates a mesh; with {@code --mtls}, with builtin mTLS and an allow-all MeshTrafficPermission
   * (without it, mTLS inbounds deny everyone).
   */
  private void prepareMesh(String mesh) {
    if (options.mtls()) {
      long t = System.nanoTime();
      api.putMeshWithBuiltinMtls(mesh);
      api.putMeshTrafficPermission(mesh, "allow-all", ALLOW_ALL_SPEC);
      progress(
          "mesh %s: builtin mTLS and an allow-all MeshTrafficPermission in %.0f ms",
          mesh, (System.nanoTime() - t) / 1e6);
    } else {
      api.putMesh(mesh);
    }
  }

  private void register(Topology t, List<Dp> dps) throws InterruptedException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.registerConcurrency(), Thread.ofPlatform().name("bench-register-", 0).daemon().factory());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Dp dp : dps) {
        futures.add(pool.submit(() -> api.putDataplane(t.mesh(), dp.name(), t.json(dp))));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("registration failed: " + e.getCause().getMessage(), e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private FirstConfig connectAll() throws InterruptedException {
    Map<String, Set<String>> endpoints = topology.endpointsByService();
    Map<String, Expected> expected = new HashMap<>();
    for (Dp dp : topology.dataplanes()) {
      proxies.put(dp.name(), newProxy(topology, dp));
      expected.put(dp.name(), topology.expected(dp.name(), endpoints));
    }
    Map<String, Double> m0 = api.xdsMetrics();
    ProcStats p0 = proc();
    ProcStats self0 = ProcStats.read(ProcessHandle.current().pid());
    Convergence c =
        Convergence.watchEach("first configuration", proxies, name -> {
          Expected e = expected.get(name);
          return v -> v.matches(e);
        });
    long t0 = System.nanoTime();
    int i = 0;
    for (SimulatedProxy p : proxies.values()) {
      p.start(channels.stub(i++));
    }
    long opened = System.nanoTime();
    progress("opened %d streams over %d connections in %.0f ms", proxies.size(), channels.connections(), (opened - t0) / 1e6);
    boolean all = c.await(options.configTimeout().toMillis());
    ProcStats p1 = proc();
    ProcStats self1 = ProcStats.read(ProcessHandle.current().pid());
    Map<String, Double> m1 = api.xdsMetrics();
    Map<String, Long> starts = new HashMap<>();
    proxies.forEach((n, p) -> starts.put(n, p.startNanos));
    double[] fromT0 = c.latenciesMillis(t0);
    progress(
        "first configuration: %d/%d streams%s, last after %.0f ms",
        c.converged(), c.expected(), all ? "" : " (timed out)", fromT0.length == 0 ? Double.NaN : fromT0[fromT0.length - 1]);
    if (c.converged() < c.expected()) {
      List<String> pending = c.pending();
      if (!pending.isEmpty()) {
        SimulatedProxy p = proxies.get(pending.get(0));
        synchronized (p) {
          progress("e.g. %s has %s; expected %s", p.name, p.view.describe(), expected.get(p.name));
        }
      }
    }
    return new FirstConfig(
        c.expected(),
        c.converged(),
        sample(c.failures()),
        c.pending().stream().limit(SAMPLE).toList(),
        fromT0.length == 0 ? Double.NaN : fromT0[fromT0.length - 1],
        (opened - t0) / 1e6,
        c.latenciesMillis(starts),
        sum(p -> p.responses.get()),
        sum(p -> p.nacks.get()),
        sum(p -> p.bytes.get()),
        cpuBetween(p0, p1),
        delta(m0, m1),
        firstResponses(0),
        firstResponses(1),
        firstResponses(2),
        cpuBetween(self0, self1));
  }

  /** Per stream, milliseconds from its opening to its first response of a type (sorted). */
  private double[] firstResponses(int slot) {
    List<Double> out = new ArrayList<>();
    for (SimulatedProxy p : proxies.values()) {
      synchronized (p) {
        if (p.firstResponseNanos[slot] != 0) {
          out.add((p.firstResponseNanos[slot] - p.startNanos) / 1e6);
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private SimulatedProxy newProxy(Topology t, Dp dp) {
    int index = nextIndex++;
    String token = options.tokens().token(t.mesh(), dp.name());
    long seed = options.seed() * 1_000_003L + index;
    return options.delta()
        ? new DeltaProxy(t.mesh(), dp.name(), dp.service(), token, options.nackFraction(), seed)
        : new SotwProxy(t.mesh(), dp.name(), dp.service(), token, options.nackFraction(), seed);
  }

  // ------------------------------------------------------------------ changes

  private ChangeResult apply(String kind, int round) throws InterruptedException {
    return switch (kind) {
      case "endpoint-hub" -> addInstance(kind, round, hubService(), "bench-hub-" + round);
      case "endpoint-leaf" -> addInstance(kind, round, leafService(round), "bench-leaf-" + round);
      case "endpoint-remove" -> removeInstance(kind, round);
      case "new-service" -> newService(kind, round);
      case "outbound-add" -> addOutbound(kind, round);
      case PERMISSION -> denyCaller(kind, round);
      default -> throw new IllegalArgumentException("unknown change " + kind);
    };
  }

  /** The service every proxy calls with a hub; else the one with the most callers. */
  private String hubService() {
    if (options.hub()) {
      return Topology.serviceName(0);
    }
    String best = Topology.serviceName(0);
    int most = -1;
    for (int s = 0; s < topology.services(); s++) {
      int n = topology.consumers(Topology.serviceName(s)).size();
      if (n > most) {
        most = n;
        best = Topology.serviceName(s);
      }
    }
    return best;
  }

  /** A service other than the hub that has callers, different each round. */
  private String leafService(int round) {
    int m = topology.services();
    for (int i = 0; i < m; i++) {
      String s = Topology.serviceName(1 + (round + i) % Math.max(1, m - 1));
      if (m > 1 && !s.equals(hubService()) && !topology.consumers(s).isEmpty()) {
        return s;
      }
    }
    return hubService();
  }

  private ChangeResult addInstance(String kind, int round, String service, String name) throws InterruptedException {
    Dp template =
        topology.dataplanes().stream().filter(d -> d.service().equals(service)).findFirst().orElseThrow();
    Dp dp = new Dp(name, service, topology.newAddress(), template.outbounds());
    String endpoint = dp.endpoint();
    return measure(
        kind,
        round,
        "new instance " + name + " of " + service + " at " + endpoint,
        connected(topology.consumers(service)),
        v -> v.endpoints(service).contains(endpoint),
        () -> {
          api.putDataplane(topology.mesh(), dp.name(), topology.json(dp));
          topology.put(dp);
        });
  }

  private ChangeResult removeInstance(String kind, int round) throws InterruptedException {
    Dp dp = null;
    for (String n : List.of("bench-hub-" + round, "bench-leaf-" + round)) {
      if (dp == null && topology.dataplanes().stream().anyMatch(d -> d.name().equals(n))) {
        dp = topology.dataplane(n);
      }
    }
    if (dp == null) {
      throw new IllegalStateException("endpoint-remove needs endpoint-hub or endpoint-leaf earlier in the round");
    }
    Dp gone = dp;
    String service = gone.service();
    String endpoint = gone.endpoint();
    return measure(
        kind,
        round,
        "deleted instance " + gone.name() + " of " + service,
        connected(topology.consumers(service)),
        v -> !v.endpoints(service).contains(endpoint),
        () -> {
          api.deleteDataplane(topology.mesh(), gone.name());
          topology.remove(gone.name());
        });
  }

  private ChangeResult newService(String kind, int round) throws InterruptedException {
    List<Outbound> outbounds = new ArrayList<>();
    outbounds.add(new Outbound(hubService(), Topology.FIRST_OUTBOUND_PORT));
    String leaf = leafService(round);
    if (!leaf.equals(hubService())) {
      outbounds.add(new Outbound(leaf, Topology.FIRST_OUTBOUND_PORT + 1));
    }
    Dp dp = new Dp("bench-new-" + round, "bench-svc-" + round, topology.newAddress(), outbounds);
    topology.put(dp);
    Expected expected = topology.expected(dp.name());
    SimulatedProxy proxy = newProxy(topology, dp);
    return measure(
        kind,
        round,
        "new Dataplane " + dp.name() + " of new service " + dp.service() + ", its proxy connects",
        Map.of(dp.name(), proxy),
        v -> v.matches(expected),
        () -> {
          api.putDataplane(topology.mesh(), dp.name(), topology.json(dp));
          proxies.put(dp.name(), proxy);
          proxy.start(channels.stub(proxies.size() - 1));
        });
  }

  private ChangeResult addOutbound(String kind, int round) throws InterruptedException {
    Dp before = topology.dataplane(Topology.dpName(round % options.dataplanes()));
    String service = "bench-svc-" + round;
    if (topology.endpoints(service).isEmpty()) {
      service = null;
      for (int s = 0; s < topology.services() && service == null; s++) {
        String candidate = Topology.serviceName(s);
        if (before.outbounds().stream().noneMatch(o -> o.service().equals(candidate))) {
          service = candidate;
        }
      }
      if (service == null) {
        throw new IllegalStateException("outbound-add: " + before.name() + " already calls every service");
      }
    }
    Dp after = before.withOutbound(new Outbound(service, 29000 + round));
    topology.put(after);
    Expected expected = topology.expected(after.name());
    topology.put(before);
    return measure(
        kind,
        round,
        before.name() + " gains an outbound to " + service,
        connected(Set.of(before.name())),
        v -> v.matches(expected),
        () -> {
          api.putDataplane(topology.mesh(), after.name(), topology.json(after));
          topology.put(after);
        });
  }

  /**
   * Puts a MeshTrafficPermission {@code bench-deny-<round>} targeting the hub service that denies
   * a caller service (this round's leaf): the RBAC filter on every hub instance's inbound must then
   * carry the caller's SPIFFE ID negated (the allow-all leaves "everyone but it" allowed). The hub
   * is chosen because it is the service every proxy calls, so its RBAC is the one that matters;
   * the affected streams are its instances (N/M of them), not all N.
   */
  private ChangeResult denyCaller(String kind, int round) throws InterruptedException {
    String target = hubService();
    String caller = leafService(round);
    String name = "bench-deny-" + round;
    String spec =
        ("{\"targetRef\":{\"kind\":\"MeshService\",\"name\":\"%s\"},\"from\":[{\"targetRef\":"
                + "{\"kind\":\"MeshService\",\"name\":\"%s\"},\"default\":{\"action\":\"Deny\"}}]}")
            .formatted(target, caller);
    String denied = "!spiffe://" + topology.mesh() + "/" + caller;
    Set<String> instances = new java.util.TreeSet<>();
    for (Dp dp : topology.dataplanes()) {
      if (dp.service().equals(target)) {
        instances.add(dp.name());
      }
    }
    return measure(
        kind,
        round,
        "MeshTrafficPermission " + name + " on " + target + " denies " + caller,
        connected(instances),
        v -> deniesOnEveryInbound(v, denied),
        () -> api.putMeshTrafficPermission(topology.mesh(), name, spec));
  }

  /** Every inbound listener has an RBAC filter and each names {@code principal}. */
  private static boolean deniesOnEveryInbound(ProxyView v, String principal) {
    Map<String, Set<String>> rbac = v.rbacPrincipals("inbound:");
    return !rbac.isEmpty() && rbac.values().stream().allMatch(ids -> ids.contains(principal));
  }

  private Map<String, SimulatedProxy> connected(Set<String> names) {
    Map<String, SimulatedProxy> out = new LinkedHashMap<>();
    for (String n : names) {
      SimulatedProxy p = proxies.get(n);
      if (p != null) {
        out.put(n, p);
      }
    }
    return out;
  }

  private ChangeResult measure(
      String kind,
      int round,
      String description,
      Map<String, SimulatedProxy> affected,
      Predicate<ProxyView> arrived,
      Runnable change)
      throws InterruptedException {
    Map<String, Long> responsesBefore = new HashMap<>();
    proxies.forEach((n, p) -> responsesBefore.put(n, p.responses.get()));
    long bytesBefore = sum(p -> p.bytes.get());
    long nacksBefore = sum(p -> p.nacks.get());
    Map<String, Double> m0 = api.xdsMetrics();
    ProcStats p0 = proc();
    Convergence c = Convergence.watch(kind, affected, arrived);
    long t0 = System.nanoTime();
    change.run();
    double restMillis = (System.nanoTime() - t0) / 1e6;
    c.await(options.changeTimeout().toMillis());
    // Benchmark, not test: keep counting for a moment to catch late or needless pushes.
    Thread.sleep(options.settle().toMillis());
    ProcStats p1 = proc();
    Map<String, Double> m1 = api.xdsMetrics();
    long pushesAffected = 0;
    long pushesUnaffected = 0;
    for (Map.Entry<String, SimulatedProxy> e : proxies.entrySet()) {
      long n = e.getValue().responses.get() - responsesBefore.getOrDefault(e.getKey(), 0L);
      if (affected.containsKey(e.getKey())) {
        pushesAffected += n;
      } else {
        pushesUnaffected += n;
      }
    }
    return new ChangeResult(
        kind,
        round,
        description,
        c.expected(),
        c.converged(),
        sample(c.failures()),
        c.pending().stream().limit(SAMPLE).toList(),
        c.latenciesMillis(t0),
        restMillis,
        pushesAffected,
        pushesUnaffected,
        sum(p -> p.nacks.get()) - nacksBefore,
        sum(p -> p.bytes.get()) - bytesBefore,
        cpuBetween(p0, p1),
        delta(m0, m1));
  }

  // ------------------------------------------------------------------ helpers

  private long sum(java.util.function.ToLongFunction<SimulatedProxy> f) {
    long s = 0;
    for (SimulatedProxy p : proxies.values()) {
      s += f.applyAsLong(p);
    }
    return s;
  }

  private ProcStats proc() {
    return ProcStats.read(target.pid());
  }

  private static double cpuBetween(ProcStats a, ProcStats b) {
    return a == null || b == null ? Double.NaN : b.cpuSeconds() - a.cpuSeconds();
  }

  private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> out = new TreeMap<>();
    after.forEach((k, v) -> {
      if (!k.equals("xds_proxies_connected")) {
        out.put(k, v - before.getOrDefault(k, 0.0));
      }
    });
    return out;
  }

  private static Map<String, String> sample(Map<String, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.entrySet().stream().limit(SAMPLE).forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private void progress(String format, Object... args) {
    log.println(prefix + String.format(Locale.ROOT, format, args));
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
