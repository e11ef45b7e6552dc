package io.meshlite.cp;

import io.meshlite.api.Versions;
import io.meshlite.api.rest.IndexResponse;
import io.meshlite.cp.ca.CaEnsurer;
import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.config.CpConfig;
import io.meshlite.cp.config.CpConfigLoader;
import io.meshlite.cp.diagnostics.DiagnosticsServer;
import io.meshlite.cp.diagnostics.Metrics;
import io.meshlite.cp.dpserver.DpServer;
import io.meshlite.cp.dpserver.DpServerConfig;
import io.meshlite.cp.insights.InsightRecorder;
import io.meshlite.cp.insights.InstanceIds;
import io.meshlite.cp.k8s.KubernetesRuntime;
import io.meshlite.cp.k8s.ServiceAccountTokenAuthenticator;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.rest.RestServer;
import io.meshlite.cp.runtime.Component;
import io.meshlite.cp.runtime.HeapGovernor;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreFactory;
import io.meshlite.cp.store.StoreSettings;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.memory.MemoryStore;
import io.meshlite.cp.tokens.CpSecurity;
import io.meshlite.cp.tokens.dp.ProxyAuthenticator;
import io.meshlite.cp.vip.VipAllocator;
import io.meshlite.cp.vip.VipSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * kuma-cp: the command line ({@code run}, {@code version}, {@code migrate up}) and the wired
 * control plane. An instance owns every part, built by constructor from the config: clock →
 * store → {@link ResourceManager} → components ({@link DiagnosticsServer}, the dataplane server,
 * {@link RestServer}). {@link #start()} creates the default Mesh and starts the components in
 * order; {@link #stop()} stops them in reverse order.
 */
public final class CpMain {
  private final CpConfig config;
  private final Clock clock;
  private final ResourceStore store;
  private final ResourceManager manager;
  private final Metrics metrics;
  private final RestServer restServer;
  private final DiagnosticsServer diagnostics;
  private final DpServer dpServer;
  private final KubernetesRuntime kubernetes;
  private final CpSecurity security;
  private final List<Component> components = new ArrayList<>();
  private final List<Component> started = new ArrayList<>();

  /**
   * Wires the control plane; nothing is started or bound yet.
   *
   * @throws ConfigException if the store settings are invalid
   */
  public CpMain(CpConfig config, Clock clock) {
    this(config, clock, createStore(config, clock));
  }

  /**
   * Wires the control plane around a store that is already open (tests run the Kubernetes mode on
   * a mock API server this way); {@link #stop()} closes it.
   *
   * @throws ConfigException if {@code environment: kubernetes} is given another store
   */
  public CpMain(CpConfig config, Clock clock, ResourceStore store) {
    this.config = config;
    this.clock = clock;
    this.store = store;
    this.manager = new ResourceManager(store, ResourceManager.Settings.from(config.store()));
    this.metrics = new Metrics();
    this.diagnostics =
        new DiagnosticsServer(
            config.diagnostics().iface(), config.diagnostics().serverPort(), this::notReady, metrics);
    // TLS identity, signing keys and the admin token, ready before the servers that use them.
    this.security = CpSecurity.create(config, manager, clock, environmentProxyChecks(store));
    this.restServer = new RestServer(config, manager, index(), metrics, security.api());

    components.add(diagnostics);
    components.add(new CaEnsurer(store, clock)); // builtin CAs of meshes with mTLS on
    components.add(security); // signing keys, the control plane's TLS identity, API authentication

    // VIPs for transparent proxying: allocated before proxies connect, so their first config has them.
    components.add(new VipAllocator(store, clock, VipSettings.defaults()));

    // The dataplane server (POST /bootstrap + ADS) comes before the REST API, so a proxy that
    // starts with the control plane finds its bootstrap as soon as the API accepts Dataplanes.
    this.dpServer =
        new DpServer(
            dpServerConfig(config),
            store,
            clock,
            config.xdsServer().dataplaneDeregistrationDelay(),
            security.dpServer(),
            new InsightRecorder(
                store,
                clock,
                InstanceIds.of(config.dpServerPort()),
                config.xdsServer().dataplaneStatusFlushInterval()));
    components.add(dpServer);

    components.add(restServer);
    this.kubernetes = kubernetesRuntime(config, store);
    if (kubernetes != null) {
      components.add(kubernetes);
    }
    registerMetrics();
  }

  /** Maps the Kuma config keys of the dataplane server and bootstrap onto its own config. */
  static DpServerConfig dpServerConfig(CpConfig config) {
    CpConfig.BootstrapParams params = config.bootstrapServer().params();
    return DpServerConfig.defaults()
        .withPort(config.dpServerPort())
        .withXdsHost(params.xdsHost())
        .withXdsPort(params.xdsPort())
        .withAdminPort(params.adminPort())
        .withAdminAccessLogPath(params.adminAccessLogPath())
        .withXdsConnectTimeout(params.xdsConnectTimeout());
  }

  /**
   * The proxy credential checks only some environments offer: with the Kubernetes store, the pod's
   * ServiceAccount token ({@code serviceAccountToken}, Kubernetes' default).
   */
  private static List<ProxyAuthenticator> environmentProxyChecks(ResourceStore store) {
    if (store instanceof KubernetesStore k) {
      return List.of(new ServiceAccountTokenAuthenticator(k.client()));
    }
    return List.of();
  }

  /** Kubernetes mode: the sidecar injector (admission server) and the pod controller. */
  private static KubernetesRuntime kubernetesRuntime(CpConfig config, ResourceStore store) {
    if (!config.environment().equals("kubernetes")) {
      return null;
    }
    if (!(store instanceof KubernetesStore)) {
      throw new ConfigException("environment kubernetes needs the kubernetes store, not " + store.getClass().getSimpleName());
    }
    try {
      return new KubernetesRuntime(config, (KubernetesStore) store);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  private static ResourceStore createStore(CpConfig config, Clock clock) {
    return StoreFactory.open(storeSettings(config), clock);
  }

  /**
   * Maps {@code store.*} (and {@code KUMA_STORE_*}) onto the store's settings: {@code memory},
   * {@code sqlite} (a file, by default {@code <general.workDir>/kuma.db}) or {@code postgres}.
   *
   * @throws ConfigException naming the key and the accepted values when the type is unknown
   */
  static StoreSettings storeSettings(CpConfig config) {
    CpConfig.Store store = config.store();
    if (config.environment().equals("kubernetes") || store.type().equals("kubernetes")) {
      // As Kuma: environment kubernetes always keeps its state in the API server.
      return new StoreSettings.Kubernetes(store.kubernetes().systemNamespace());
    }
    return switch (store.type()) {
      case "memory" -> new StoreSettings.Memory();
      case "sqlite" ->
          store.sqlite().path().isBlank()
              ? StoreSettings.Sqlite.inWorkDir(config.workDir())
              : new StoreSettings.Sqlite(Path.of(store.sqlite().path()));
      case "postgres" -> {
        CpConfig.Postgres pg = store.postgres();
        StoreSettings.Postgres.Builder b =
            StoreSettings.Postgres.builder()
                .host(pg.host())
                .port(pg.port())
                .user(pg.user())
                .password(pg.password())
                .dbName(pg.dbName())
                .connectionTimeout(java.time.Duration.ofSeconds(pg.connectionTimeout()))
                .maxOpenConnections(pg.maxOpenConnections())
                .tlsMode(StoreSettings.TlsMode.parse(pg.tls().mode()));
        optionalPath(pg.tls().caPath()).ifPresent(b::caPath);
        optionalPath(pg.tls().certPath()).ifPresent(b::certPath);
        optionalPath(pg.tls().keyPath()).ifPresent(b::keyPath);
        yield b.build();
      }
      default ->
          throw new ConfigException(
              "KUMA_STORE_TYPE (store.type)=\""
                  + store.type()
                  + "\" is not valid (expected: memory, sqlite, postgres or kubernetes)");
    };
  }

  private static Optional<Path> optionalPath(String p) {
    return p == null || p.isBlank() ? Optional.empty() : Optional.of(Path.of(p));
  }


  private IndexResponse index() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()).substring(0, 4);
    return new IndexResponse(
        host,
        "Kuma",
        Versions.VERSION,
        host + "-" + suffix,
        UUID.randomUUID().toString(),
        "The gui is not available",
        Versions.KUMA_COMPAT);
  }

  private void registerMetrics() {
    long startMillis = clock.millis();
    metrics.gauge("process_start_time_seconds", "Start time of the process since the epoch in seconds.", () -> startMillis / 1000.0);
    metrics.gauge(
        "cp_ready", "1 when every component of the control plane is ready.", () -> notReady().isEmpty() ? 1 : 0);
    metrics.gauge("xds_proxies_connected", "Proxies with an open ADS stream.", () -> dpServer.xdsStats().connectedProxies());
    metrics.gauge("xds_generations", "Proxy configuration generations since start.", () -> dpServer.xdsStats().generations());
    metrics.gauge("xds_snapshots_set", "Generations whose content changed (pushed).", () -> dpServer.xdsStats().pushes());
    metrics.gauge("xds_generation_errors", "Generations that failed.", () -> dpServer.xdsStats().failures());
    metrics.gauge("xds_mesh_refreshes", "Times a mesh moved to a new context after store events.", () -> dpServer.xdsStats().meshRefreshes());
    metrics.gauge(
        "xds_proxies_skipped",
        "Connected proxies left alone by a mesh refresh because the change cannot affect them.",
        () -> dpServer.xdsStats().skipped());
    Metrics.Counter events = metrics.counter("store_events_total", "Committed store changes.", "kind", "type");
    store.subscribe(e -> events.inc(e.kind().name().toLowerCase(Locale.ROOT), e.key().type()));
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Creates the default Mesh (unless {@code defaults.skipMeshCreation}) and starts every component
   * in order. If one fails, the ones already started are stopped and the failure is rethrown.
   */
  public synchronized void start() throws Exception {
    Logger log = LoggerFactory.getLogger(CpMain.class);
    if (!config.defaults().skipMeshCreation()) {
      manager.ensureDefaultMesh();
    }
    for (Component c : components) {
      try {
        c.start();
      } catch (Exception e) {
        log.error("component failed to start component={} error={}", c, e.toString());
        stop();
        throw e;
      }
      started.add(c);
    }
    log.info("control plane started version={} components={}", Versions.VERSION, components);
  }

  /** Stops the started components in reverse order, then closes the store; idempotent. */
  public synchronized void stop() {
    Logger log = LoggerFactory.getLogger(CpMain.class);
    for (int i = started.size() - 1; i >= 0; i--) {
      Component c = started.get(i);
      try {
        c.stop();
      } catch (RuntimeException e) {
        log.warn("component failed to stop component={} error={}", c, e.toString());
      }
    }
    started.clear();
    store.close();
  }

  /** Names of the components that are not ready (empty when the control plane is ready). */
  public List<String> notReady() {
    List<String> out = new ArrayList<>();
    for (Component c : components) {
      if (!c.ready()) {
        out.add(c.toString());
      }
    }
    return out;
  }

  public CpConfig config() {
    return config;
  }

  public ResourceStore store() {
    return store;
  }

  public ResourceManager manager() {
    return manager;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The dataplane server (its {@code port()} is the bound port once started). */
  public DpServer dpServer() {
    return dpServer;
  }

  /** The Kubernetes-mode components, or null outside {@code environment: kubernetes}. */
  public KubernetesRuntime kubernetes() {
    return kubernetes;
  }

  public RestServer restServer() {
    return restServer;
  }

  /** TLS identity, tokens and API authentication. */
  public CpSecurity security() {
    return security;
  }

  public DiagnosticsServer diagnostics() {
    return diagnostics;
  }

  /** The components in start order. */
  public List<Component> components() {
    return List.copyOf(components);
  }

  // ---------------------------------------------------------------- CLI

  /** Entry point of the {@code kuma-cp} binary. */
  public static void main(String[] args) {
    int code = execute(args, System.getenv(), System.out, System.err);
    System.exit(code);
  }

  /** Runs the command line with an explicit environment and streams; returns the exit code. */
  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Cli(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("kuma-cp: " + ex.getMessage() + " (see kuma-cp --help)");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          err.println("kuma-cp: " + oneLine(ex));
          return 1;
        });
    return cl.execute(args);
  }

  private static String oneLine(Throwable ex) {
    if (ex instanceof ConfigException) {
      return ex.getMessage();
    }
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof BindException) {
      return "cannot bind a port: "
          + root.getMessage()
          + " (another process uses it: change apiServer.http.port, apiServer.https.port, diagnostics.serverPort or dpServer.port)";
    }
    String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }

  /** The root command; holds what the subcommands share. */
  @Command(
      name = "kuma-cp",
      description = "Universal Control Plane for Envoy-based Service Mesh (Kuma-compatible)",
      subcommands = {Run.class, VersionCmd.class, Migrate.class},
      mixinStandardHelpOptions = true,
      versionProvider = VersionCmd.class)
  static final class Cli {
    final Map<String, String> env;

    Cli(Map<String, String> env) {
      this.env = Map.copyOf(env);
    }

    CpConfig loadConfig(Path file) {
      return CpConfigLoader.load(Optional.ofNullable(file), env);
    }
  }

  /** {@code kuma-cp run}: starts the control plane and serves until SIGTERM/SIGINT. */
  @Command(name = "run", description = "Launch the Control Plane", mixinStandardHelpOptions = true)
  static final class Run implements Callable<Integer> {
    @ParentCommand Cli cli;

    @Option(names = {"-c", "--config-file"}, description = "configuration file")
    Path configFile;

    @Option(names = "--log-level", defaultValue = "info", description = "log level: one of off|info|debug")
    String logLevel;

    @Override
    public Integer call() throws Exception {
      if (!List.of("off", "info", "debug").contains(logLevel)) {
        throw new ConfigException(
            "--log-level: \"" + logLevel + "\" is not valid (expected: one of off, info, debug)");
      }
      // Must happen before the first logger is created.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", logLevel);
      CpConfig config = cli.loadConfig(configFile);
      Logger log = LoggerFactory.getLogger(CpMain.class);
      log.info("effective configuration {}", config.toRedactedJson());
      CpMain cp = new CpMain(config, Clock.systemUTC());
      Runtime.getRuntime()
          .addShutdownHook(
              Thread.ofPlatform()
                  .name("shutdown")
                  .unstarted(
                      () -> {
                        log.info("stopping the control plane");
                        cp.stop();
                        log.info("control plane stopped");
                        // A graceful stop on SIGTERM/SIGINT is a clean exit (0, as Kuma), not the
                        // JVM's 128+signal status that systemd would count as a failure.
                        Runtime.getRuntime().halt(0);
                      }));
      cp.start();
      // Serial/Parallel GC without -Xmx: keep the old generation near the live set (docs/bench/xds.md).
      // Process-wide, so started here in main() and not by the control plane (tests run several in one JVM).
      if (Boolean.parseBoolean(System.getProperty("meshlite.heapGovernor", "true"))) {
        HeapGovernor.forThisJvm(
                HeapGovernor.Settings.fromSystemProperties(),
                () -> cp.dpServer().xdsStats().generations(),
                Clock.systemUTC())
            .ifPresent(HeapGovernor::start);
      }
      // Serve until the JVM shuts down; the hook stops the components. Returning here would make
      // main() call System.exit during shutdown, which blocks.
      new CountDownLatch(1).await();
      return 0;
    }
  }

  /** {@code kuma-cp version}. */
  @Command(name = "version", description = "Print version", mixinStandardHelpOptions = true)
  static final class VersionCmd implements Callable<Integer>, CommandLine.IVersionProvider {
    @Spec CommandSpec spec;

    @Option(names = {"-a", "--detailed"}, description = "print detailed version")
    boolean detailed;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (detailed) {
        for (String line : getVersion()) {
          out.println(line);
        }
      } else {
        out.println("Kuma: " + Versions.VERSION);
      }
      return 0;
    }

    @Override
    public String[] getVersion() {
      return new String[] {
        "Product: Kuma",
        "Version: " + Versions.VERSION,
        "Based on Kuma: " + Versions.KUMA_COMPAT,
        "Envoy: " + Versions.ENVOY
      };
    }
  }

  /** {@code kuma-cp migrate}. */
  @Command(
      name = "migrate",
      description = "Migrate database to which Control Plane is connected",
      mixinStandardHelpOptions = true,
      subcommands = {MigrateUp.class})
  static final class Migrate {
    @ParentCommand Cli cli;
  }

  /** {@code kuma-cp migrate up}: store schema migrations (nothing to do for the memory store). */
  @Command(name = "up", description = "Apply the newest schema changes to the database", mixinStandardHelpOptions = true)
  static final class MigrateUp implements Callable<Integer> {
    @ParentCommand Migrate migrate;

    @Spec CommandSpec spec;

    @Option(names = {"-c", "--config-file"}, description = "configuration file")
    Path configFile;

    @Override
    public Integer call() {
      CpConfig config = migrate.cli.loadConfig(configFile);
      spec.commandLine().getOut().println(StoreFactory.migrate(storeSettings(config)));
      return 0;
    }
  }
}
