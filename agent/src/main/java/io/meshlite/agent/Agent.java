package io.meshlite.agent;

import io.meshlite.agent.bootstrap.BootstrapClient;
import io.meshlite.agent.bootstrap.BootstrapException;
import io.meshlite.agent.bootstrap.BootstrapRequestFactory;
import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.envoy.ControlPlaneWatch;
import io.meshlite.agent.envoy.EnvoyAdmin;
import io.meshlite.agent.envoy.EnvoyBinary;
import io.meshlite.agent.envoy.EnvoySupervisor;
import io.meshlite.agent.envoy.EnvoyVersion;
import io.meshlite.agent.lifecycle.ShutdownController;
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
  private static final Duration TOKEN_WATCH_INTERVAL = Duration.ofSeconds(1);

  private final AgentConfig cfg;
  private final AgentEnvironment host;
  private final ShutdownController shutdown;
  private final CountDownLatch startupCancel = new CountDownLatch(1);

  private final Object lock = new Object();
  private boolean stopping;
  private boolean terminating;
  private Thread fetchingThread;
  private EnvoySupervisor supervisor;

  public Agent(AgentConfig cfg, AgentEnvironment host) {
    this.cfg = cfg;
    this.host = host;
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
    ControlPlaneTransport transport = null;
    CountDownLatch watchStop = new CountDownLatch(1);
    Thread killOnExit = null;
    try {
      AgentConfig.Dataplane dp = cfg.dataplane();
      log.info("starting kuma-dp {} dp={}/{} cp={}", Versions.VERSION, dp.mesh(), dp.name(), cfg.controlPlane().address());
      log.debug("configuration {}", cfg);
      if (cfg.runtime().dnsEnabled()) {
        log.info("the embedded DNS proxy is not available yet; --dns-enabled is ignored");
      }

      Path binary = EnvoyBinary.locate(cfg.envoy().binaryPath(), host.env().get("PATH"), host.cwd(), host.launcherDir());
      EnvoyVersion version = probeVersion(binary);

      ownWorkDir = cfg.runtime().workDir() == null;
      workDir = workDir(ownWorkDir);
      TokenFile token = tokenFile(workDir);
      long memory = cfg.runtime().maxMemoryBytes() > 0
          ? cfg.runtime().maxMemoryBytes()
          : BootstrapRequestFactory.cgroupMemoryLimit(host.cgroupRoot());
      // Before Envoy runs every attempt re-reads the token; afterwards the token watcher keeps
      // kuma-dp's copy current and restarts use what is installed.
      boolean[] envoyStarted = {false};
      BootstrapRequestFactory requests = new BootstrapRequestFactory(
          cfg, version, workDir, token.present() ? token.path() : null, memory, BootstrapRequestFactory.hostHasIpv6(),
          () -> !token.present() ? null : envoyStarted[0] ? token.installed() : token.refresh());

      transport = ControlPlaneTransport.forControlPlane(cfg.controlPlane());
      BootstrapClient client = new BootstrapClient(
          transport, cfg.controlPlane().address(), cfg.controlPlane().retryBackoff(), cfg.controlPlane().retryMaxDuration(),
          host.ticker());

      BootstrapResponse first = fetchFirst(client, requests);
      envoyStarted[0] = true;

      readiness = startReadiness();
      EnvoySupervisor sup = new EnvoySupervisor(
          cfg.envoy(), binary, workDir, host.launcher(), () -> client.fetchOnce(requests).bootstrap(), host.ticker());
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
    return sup.admin().map(EnvoyAdmin::ready).orElse(false)
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
