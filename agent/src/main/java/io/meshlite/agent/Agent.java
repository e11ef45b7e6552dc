package io.meshlite.agent;

import io.meshlite.agent.bootstrap.BootstrapClient;
import io.meshlite.agent.bootstrap.BootstrapException;
import io.meshlite.agent.bootstrap.BootstrapRequestFactory;
import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.dns.DnsConfigFetcher;
import io.meshlite.agent.dns.DnsStub;
import io.meshlite.agent.dns.DnsStubConfig;
import io.meshlite.agent.envoy.ControlPlaneWatch;
import io.meshlite.agent.envoy.EnvoyAdmin;
import io.meshlite.agent.envoy.EnvoyBinary;
import io.meshlite.agent.envoy.EnvoySupervisor;
import io.meshlite.agent.envoy.EnvoyUser;
import io.meshlite.agent.envoy.EnvoyVersion;
import io.meshlite.agent.lifecycle.ShutdownController;
import io.meshlite.agent.metrics.MetricsHijacker;
import io.meshlite.agent.readiness.ReadinessServer;
import io.meshlite.agent.token.TokenFile;
import io.meshlite.agent.token.TokenWatcher;
import io.meshlite.api.Versions;
import io.meshlite.api.bootstrap.BootstrapResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kuma-dp run: find and check Envoy, fetch the bootstrap, serve readiness, supervise Envoy
 * until a signal drains and stops it. {@link #run()} returns the process exit code; fatal problems
 * are printed as one line on stderr.
 */
public final class Agent {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DRAIN_POLL = Duration.ofSeconds(1);
  private static final Duration CP_WATCH_INTERVAL = Duration.ofSeconds(5);
  private static final Duration DNS_GATE = Duration.ofSeconds(15);
  private static final Duration TOKEN_WATCH_INTERVAL = Duration.ofSeconds(1);

  private final AgentConfig cfg;
  private final AgentEnvironment host;
  private final ShutdownController shutdown;
  private final ControlPlaneTransport preparedTransport;
  private final CountDownLatch startupCancel = new CountDownLatch(1);

  private final Object lock = new Object();
  private boolean stopping;
  private boolean terminating;
  private Thread fetchingThread;
  private EnvoySupervisor supervisor;
  private volatile DnsStub dnsStub;
  private volatile long dnsStartNanos;
  private volatile Path dnsSocket;
  private volatile boolean dnsGateWarned;

  public Agent(AgentConfig cfg, AgentEnvironment host) {
    this(cfg, host, null);
  }

  /**
   * @param transport the control plane connection, already preparing (its handshake started while
   *     the configuration was read); null to make one here. Closed when {@link #run} ends.
   */
  public Agent(AgentConfig cfg, AgentEnvironment host, ControlPlaneTransport transport) {
    this.cfg = cfg;
    this.host = host;
    this.preparedTransport = transport;
    this.shutdown = new ShutdownController(new DrainTarget(), cfg.envoy().drainTime(), DRAIN_POLL, host.ticker(), host.halt());
  }

  /** Starts a graceful shutdown as a signal does (second call: stop now; third: exit). */
  public void signal(String name) {
    shutdown.signal(name);
  }

  /** Runs until Envoy is stopped; returns the exit code. */
  public int run() {
    host.signals().install(this::signal);
    Path workDir = null;
    boolean ownWorkDir = false;
    ReadinessServer readiness = null;
    AtomicReference<MetricsHijacker> metrics = new AtomicReference<>();
    ControlPlaneTransport transport = preparedTransport;
    CountDownLatch watchStop = new CountDownLatch(1);
    Thread killOnExit = null;
    DnsStub dns = null;
    try {
      AgentConfig.Dataplane dp = cfg.dataplane();
      log.info("starting kuma-dp {} dp={}/{} cp={}", Versions.VERSION, dp.mesh(), dp.name(), cfg.controlPlane().address());
      log.debug("configuration {}", cfg);

      Path binary = EnvoyBinary.locate(cfg.envoy().binaryPath(), host.env().get("PATH"), host.cwd(), host.launcherDir());
      // `envoy --version` takes tens of milliseconds (a 100 MB binary starts): read it while the rest of the
      // bootstrap request is prepared, since it is on the path to the first request.
      FutureTask<EnvoyVersion> probe = new FutureTask<>(() -> probeVersion(binary));
      Thread.ofPlatform().name("envoy-version").daemon(true).stackSize(256 << 10).start(probe);
      // Likewise the TLS handshake with the control plane (kuma-dp run started it while reading its
      // configuration; otherwise it starts here): it runs while the version is read.
      if (transport == null) {
        transport = ControlPlaneTransport.forControlPlane(cfg.controlPlane());
        transport.prepare(cfg.controlPlane().address());
      }

      Optional<EnvoyUser> envoyUser = EnvoyUser.plan(cfg.envoy().runAs(), EnvoyUser.Host.system());
      boolean workDirExisted = cfg.runtime().workDir() != null && Files.isDirectory(cfg.runtime().workDir());
      ownWorkDir = cfg.runtime().workDir() == null;
      workDir = workDir(ownWorkDir);
      if (envoyUser.isPresent()) {
        envoyUser.get().prepareWorkDir(workDir, !workDirExisted);
        log.info("Envoy will run as {} (--run-envoy-as) via {}", envoyUser.get().describe(), envoyUser.get().setpriv());
      }
      TokenFile token = tokenFile(workDir);
      long memory = cfg.runtime().maxMemoryBytes() > 0
          ? cfg.runtime().maxMemoryBytes()
          : BootstrapRequestFactory.cgroupMemoryLimit(host.cgroupRoot());
      // Before Envoy runs every attempt re-reads the token; afterwards the token watcher keeps
      // kuma-dp's copy current and restarts use what is installed.
      boolean[] envoyStarted = {false};
      BootstrapRequestFactory requests = new BootstrapRequestFactory(
          cfg, awaitVersion(probe), workDir, token.present() ? token.path() : null, memory, BootstrapRequestFactory.hostHasIpv6(),
          () -> !token.present() ? null : envoyStarted[0] ? token.installed() : token.refresh());
      if (envoyUser.isPresent() && token.present() && Files.exists(token.path())) {
        // Envoy reads the token file itself for every new xDS stream (the reloadable bootstrap).
        envoyUser.get().own(token.path());
      }

      BootstrapClient client = new BootstrapClient(
          transport, cfg.controlPlane().address(), cfg.controlPlane().retryBackoff(), cfg.controlPlane().retryMaxDuration(),
          host.ticker());

      BootstrapResponse first = fetchFirst(client, requests);
      envoyStarted[0] = true;

      if (cfg.runtime().dnsEnabled()) {
        dns = startDns(workDir, watchStop);
      }

      readiness = startReadiness();
      EnvoySupervisor sup = new EnvoySupervisor(
          cfg.envoy(), binary, workDir, host.launcher(), () -> {
            BootstrapResponse fresh = client.fetchOnce(requests);
            MetricsHijacker m = metrics.get();
            if (m != null) {
              m.aggregates(aggregates(fresh));
            }
            return fresh.bootstrap();
          }, host.ticker(), envoyUser);
      metrics.set(startMetrics(workDir, sup, aggregates(first)));
      synchronized (lock) {
        if (stopping) {
          return 0;
        }
        supervisor = sup;
      }
      killOnExit = Thread.ofPlatform().name("kuma-dp-exit").unstarted(sup::kill);
      Runtime.getRuntime().addShutdownHook(killOnExit);
      ControlPlaneWatch watch = new ControlPlaneWatch(sup::admin, host.ticker(), CP_WATCH_INTERVAL,
          cfg.controlPlane().address().toString(), () -> whyRefused(client, requests));
      Thread.ofPlatform().name("cp-watch").daemon(true).stackSize(256 << 10).start(() -> watch.run(watchStop));
      if (token.source().isPresent()) {
        TokenWatcher tokens = new TokenWatcher(token, transport, cfg.controlPlane().address(), cfg.dataplane().mesh(),
            cfg.dataplane().name(), workDir.resolve("bootstrap.yaml"), host.ticker(), TOKEN_WATCH_INTERVAL);
        Thread.ofPlatform().name("token-watch").daemon(true).stackSize(256 << 10).start(() -> tokens.run(watchStop));
      }

      log.debug("Envoy command line: {}", String.join(" ", sup.command()));
      return sup.run(first.bootstrap());
    } catch (Fatal | BootstrapException e) {
      host.err().println("Error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      host.err().println("Error: " + e.getMessage());
      return 1;
    } catch (CancellationException e) {
      log.info("stopped before Envoy was started");
      return 0;
    } catch (InterruptedException e) {
      synchronized (lock) {
        if (stopping) {
          log.info("stopped before Envoy was started");
          return 0;
        }
      }
      host.err().println("Error: interrupted");
      return 1;
    } catch (IOException | UncheckedIOException e) {
      host.err().println("Error: " + e.getMessage());
      return 1;
    } finally {
      watchStop.countDown();
      if (dns != null) {
        dns.close();
      }
      if (metrics.get() != null) {
        metrics.get().close();
      }
      if (readiness != null) {
        readiness.close();
      }
      if (transport != null) {
        transport.close();
      }
      if (killOnExit != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
          // the JVM is already exiting; the hook kills Envoy if it is still there
        }
      }
      if (ownWorkDir && workDir != null) {
        deleteRecursively(workDir);
      }
    }
  }

  private static EnvoyVersion awaitVersion(FutureTask<EnvoyVersion> probe) throws InterruptedException {
    try {
      return probe.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new Fatal("could not read the Envoy version: " + e.getCause());
    }
  }

  private EnvoyVersion probeVersion(Path binary) throws InterruptedException {
    String output;
    try {
      output = host.launcher().output(List.of(binary.toString(), "--version"), VERSION_TIMEOUT);
    } catch (IOException e) {
      throw new Fatal("could not run " + binary + " --version (" + e.getMessage() + "): check --binary-path");
    }
    EnvoyVersion v;
    try {
      v = EnvoyVersion.parse(output);
    } catch (IllegalArgumentException e) {
      throw new Fatal(binary + " does not look like Envoy: " + e.getMessage());
    }
    if (!v.compatibleWith(Versions.ENVOY)) {
      String text = "Envoy " + v.version() + " (" + binary + ") is not supported by this kuma-dp, which needs Envoy "
          + majorMinor(Versions.ENVOY) + ".x (bundled: " + Versions.ENVOY + ")";
      if (!cfg.envoy().ignoreCompatibility()) {
        throw new Fatal(text + ": install the bundled Envoy (envoy/install.sh) or pass --ignore-envoy-compatibility to run it anyway");
      }
      log.warn("{}; running it anyway because of --ignore-envoy-compatibility", text);
    } else {
      log.info("using Envoy {} binary={}", v.version(), binary);
    }
    return v;
  }

  private BootstrapResponse fetchFirst(BootstrapClient client, BootstrapRequestFactory requests)
      throws BootstrapException, InterruptedException {
    synchronized (lock) {
      if (stopping) {
        throw new CancellationException();
      }
      fetchingThread = Thread.currentThread();
    }
    try {
      return client.fetch(requests, startupCancel);
    } finally {
      synchronized (lock) {
        fetchingThread = null;
      }
      if (stoppingNow()) {
        Thread.interrupted(); // an interrupt meant for the fetch must not leak into what follows
      }
    }
  }

  /**
   * Starts the DNS stub on 127.0.0.1 (and ::1 when the host has IPv6) at {@code --dns-proxy-port},
   * where kuma-init's DNS rules send queries, and a fetcher that keeps its table current.
   */
  private DnsStub startDns(Path workDir, CountDownLatch stop) {
    int port = cfg.runtime().dnsProxyPort();
    DnsStub stub =
        new DnsStub(
            DnsStubConfig.builder()
                .port(port)
                .bindAddresses(
                    DnsStubConfig.kumaBindAddresses(true, BootstrapRequestFactory.hostHasIpv6(), false))
                .build());
    try {
      stub.start();
    } catch (IOException e) {
      throw new Fatal("cannot serve DNS on port " + port + " (" + e.getMessage()
          + "): another kuma-dp may be running; set --dns-proxy-port (KUMA_DNS_PROXY_PORT) or --dns-enabled=false");
    }
    log.info("DNS proxy on port {} upstreams={}", stub.port(), stub.upstreams());
    dnsStartNanos = host.ticker().nanoTime();
    dnsSocket = workDir.resolve(DnsConfigFetcher.SOCKET);
    dnsStub = stub;
    DnsConfigFetcher fetcher = new DnsConfigFetcher(workDir, stub::update, host.ticker(), Duration.ofSeconds(1));
    Thread.ofPlatform().name("dns-config").daemon(true).stackSize(256 << 10).start(() -> fetcher.run(stop));
    return stub;
  }

  /**
   * The DNS gate of readiness: NOT_READY until the stub has its first table, for at most {@link
   * #DNS_GATE} after it started, as Kuma. Unlike Kuma, a proxy whose Envoy is ready without the
   * control plane's dynamic-config listener (no transparent proxying, so no table will ever come) is
   * ready at once instead of after the whole gate: Envoy binds that listener's socket before it
   * reports ready. Asked only once Envoy is ready.
   */
  private boolean dnsGateOpen() {
    DnsStub stub = dnsStub;
    if (stub == null || stub.ready()) {
      return true;
    }
    if (!Files.exists(dnsSocket)) {
      if (!dnsGateWarned) {
        dnsGateWarned = true;
        log.info("no DNS table expected: the control plane gave this proxy no dynamic-config listener"
            + " (no transparent proxying); <service>.mesh names are not served");
      }
      return true;
    }
    if (host.ticker().since(dnsStartNanos).compareTo(DNS_GATE) < 0) {
      return false;
    }
    if (!dnsGateWarned) {
      dnsGateWarned = true;
      log.warn("no DNS table from the control plane after {}s; reporting ready without it", DNS_GATE.toSeconds());
    }
    return true;
  }

  private ReadinessServer startReadiness() throws IOException {
    int port = cfg.runtime().readinessPort();
    try {
      ReadinessServer r = ReadinessServer.start(new InetSocketAddress("127.0.0.1", port), this::readiness);
      log.info("readiness endpoint on http://127.0.0.1:{}/ready", r.port());
      return r;
    } catch (IOException e) {
      throw new Fatal("cannot serve readiness on 127.0.0.1:" + port + " (" + e.getMessage()
          + "): another kuma-dp may be running; set --readiness-port (KUMA_READINESS_PORT)");
    }
  }

  /**
   * The metrics hijacker on Kuma's Unix socket, plus {@code --metrics-port} when set. A socket that
   * cannot be bound is logged (metrics are not worth failing the proxy for); an explicitly asked
   * TCP port that cannot be bound is fatal, as the readiness port.
   */
  private MetricsHijacker startMetrics(Path workDir, EnvoySupervisor sup, List<BootstrapResponse.Aggregate> apps) {
    AgentConfig.Metrics m = cfg.metrics();
    AgentConfig.Dataplane dp = cfg.dataplane();
    Path socket = m.socket() ? MetricsHijacker.socketPath(workDir, dp.name(), dp.mesh()) : null;
    InetSocketAddress tcp = m.port() > 0 ? new InetSocketAddress(m.address(), m.port()) : null;
    try {
      MetricsHijacker h = MetricsHijacker.start(socket, tcp, sup::admin, this::ownMetrics, apps);
      log.info("merged metrics on {}{} applications={}", socket == null ? "" : "unix:" + socket,
          tcp == null ? "" : " http://" + m.address() + ":" + h.tcpPort() + "/metrics", apps.size());
      return h;
    } catch (IOException e) {
      if (tcp != null) {
        throw new Fatal("cannot serve metrics: " + e.getMessage()
            + ": set another --metrics-port (KUMA_DATAPLANE_RUNTIME_METRICS_PORT) or 0 for none");
      }
      log.warn("merged metrics are not served: {}", e.getMessage());
      return null;
    }
  }

  /** kuma-dp's own series in the merged metrics: the DNS stub's counters when it runs. */
  private String ownMetrics() {
    DnsStub stub = dnsStub;
    return stub == null ? "" : stub.counters().prometheus();
  }

  private static List<BootstrapResponse.Aggregate> aggregates(BootstrapResponse r) {
    var sidecar = r.kumaSidecarConfiguration();
    if (sidecar == null || sidecar.metrics() == null || sidecar.metrics().aggregate() == null) {
      return List.of();
    }
    return sidecar.metrics().aggregate();
  }

  private ReadinessServer.Status readiness() {
    EnvoySupervisor sup;
    synchronized (lock) {
      if (terminating) {
        return ReadinessServer.Status.TERMINATING;
      }
      sup = supervisor;
    }
    if (sup == null) {
      return ReadinessServer.Status.NOT_READY;
    }
    return sup.admin().map(EnvoyAdmin::ready).orElse(false) && dnsGateOpen()
        ? ReadinessServer.Status.READY
        : ReadinessServer.Status.NOT_READY;
  }

  /** A private temporary directory (0700, removed on exit), or the configured one. */
  private Path workDir(boolean temporary) {
    try {
      return temporary
          ? Files.createTempDirectory("kuma-dp-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
          : Files.createDirectories(cfg.runtime().workDir());
    } catch (IOException | RuntimeException e) {
      throw new Fatal("cannot create the work directory " + (temporary ? "in " + System.getProperty("java.io.tmpdir")
          : cfg.runtime().workDir()) + " (" + e + "): set --work-dir (KUMA_DATAPLANE_RUNTIME_WORK_DIR) to a writable directory");
    }
  }

  /**
   * The token kuma-dp uses, kept in {@code <workdir>/<name>} (0600) whether it came inline or from
   * --dataplane-token-file; that copy is what Envoy reads in the reloadable bootstrap form.
   */
  private TokenFile tokenFile(Path workDir) {
    return new TokenFile(cfg.token().inline(), cfg.token().file(), workDir.resolve(cfg.dataplane().name().replace('/', '_')));
  }

  /** Asks the control plane (a bootstrap request) why it does not take this proxy; empty if it does. */
  private static Optional<String> whyRefused(BootstrapClient client, BootstrapRequestFactory requests) {
    try {
      return client.refusal(requests);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private boolean stoppingNow() {
    synchronized (lock) {
      return stopping;
    }
  }

  private static String majorMinor(String v) {
    int second = v.indexOf('.', v.indexOf('.') + 1);
    return second < 0 ? v : v.substring(0, second);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.debug("could not delete {}: {}", p, e.getMessage());
        }
      });
    } catch (IOException e) {
      log.debug("could not delete {}: {}", dir, e.getMessage());
    }
  }

  /** A problem that ends the run with one line on stderr. */
  private static final class Fatal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Fatal(String message) {
      super(message, null, false, false);
    }
  }

  /** What the shutdown controller drives. */
  private final class DrainTarget implements ShutdownController.Target {
    @Override
    public void markTerminating() {
      EnvoySupervisor sup;
      synchronized (lock) {
        terminating = true;
        sup = supervisor;
      }
      if (sup != null) {
        sup.preventRestarts();
      }
    }

    @Override
    public boolean envoyRunning() {
      return currentSupervisor() != null && currentSupervisor().status().pid() > 0;
    }

    @Override
    public void failHealthChecks() throws IOException {
      admin().failHealthChecks();
    }

    @Override
    public void drainInboundListeners() throws IOException {
      admin().drainInboundListeners();
    }

    @Override
    public long activeInboundConnections() throws IOException {
      return admin().activeInboundConnections();
    }

    @Override
    public void stop() throws InterruptedException {
      EnvoySupervisor sup;
      synchronized (lock) {
        stopping = true;
        startupCancel.countDown();
        sup = supervisor;
        if (fetchingThread != null) {
          fetchingThread.interrupt();
        }
      }
      if (sup != null) {
        sup.stop();
      }
    }

    @Override
    public void kill() {
      EnvoySupervisor sup = currentSupervisor();
      if (sup != null) {
        sup.kill();
      }
    }

    private EnvoySupervisor currentSupervisor() {
      synchronized (lock) {
        return supervisor;
      }
    }

    private EnvoyAdmin admin() throws IOException {
      EnvoySupervisor sup = currentSupervisor();
      return (sup == null ? Optional.<EnvoyAdmin>empty() : sup.admin())
          .orElseThrow(() -> new IOException("Envoy's admin address is not known"));
    }
  }
}
