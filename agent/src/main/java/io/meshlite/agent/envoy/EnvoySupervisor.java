package io.meshlite.agent.envoy;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.support.Ticker;
import io.meshlite.api.time.GoDuration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Envoy and keeps it running.
 *
 * <p>Each start writes {@code <workdir>/bootstrap.yaml} (0600) and launches Envoy with Kuma's
 * command line. When Envoy exits without being asked to, the supervisor fetches a fresh bootstrap
 * (keeping the previous one if the control plane cannot answer) and starts it again after a capped
 * exponential backoff; a run that lasted {@link #STABLE_AFTER} resets the backoff. With restarts
 * off it behaves as Kuma: {@link #run} returns 1 when Envoy failed, 0 when it exited cleanly.
 *
 * <p>{@link #stop()} may be called from any thread: SIGTERM, then SIGKILL after {@link
 * #STOP_GRACE}.
 */
public final class EnvoySupervisor {
  /** A run this long counts as stable and resets the backoff. */
  static final Duration STABLE_AFTER = Duration.ofSeconds(60);

  /** How long Envoy gets to exit after SIGTERM before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** Crashes in a row from which the log calls it a crash loop. */
  static final int CRASH_LOOP = 3;

  private static final Logger log = LoggerFactory.getLogger(EnvoySupervisor.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);

  /** Gives a fresh bootstrap before a restart. */
  @FunctionalInterface
  public interface BootstrapSource {
    byte[] fetch() throws Exception;
  }

  /**
   * What the supervisor has done so far.
   *
   * @param starts Envoy processes started
   * @param crashesInRow unexpected exits since the last stable run
   * @param lastExitCode exit code of the last Envoy process, or null
   * @param pid pid of the running Envoy, or -1
   */
  public record Status(int starts, int crashesInRow, Integer lastExitCode, long pid) {}

  private final AgentConfig.Envoy cfg;
  private final Path binary;
  private final Path bootstrapPath;
  private final ProcessLauncher launcher;
  private final BootstrapSource source;
  private final Ticker ticker;
  private final Backoff backoff;
  private final boolean linux;
  private final Optional<EnvoyUser> user;

  private final Object lock = new Object();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean stopRequested;
  private boolean restartsPrevented;
  private RunningProcess current;
  private EnvoyAdmin admin;
  private int starts;
  private int crashesInRow;
  private Integer lastExitCode;

  public EnvoySupervisor(
      AgentConfig.Envoy cfg,
      Path binary,
      Path workDir,
      ProcessLauncher launcher,
      BootstrapSource source,
      Ticker ticker) {
    this(cfg, binary, workDir, launcher, source, ticker, Optional.empty());
  }

  /**
   * @param user the user Envoy is switched to ({@code --run-envoy-as}), if any; the bootstrap file
   *     is then handed to it
   */
  public EnvoySupervisor(
      AgentConfig.Envoy cfg,
      Path binary,
      Path workDir,
      ProcessLauncher launcher,
      BootstrapSource source,
      Ticker ticker,
      Optional<EnvoyUser> user) {
    this.user = user;
    this.cfg = cfg;
    this.binary = binary;
    this.bootstrapPath = workDir.resolve("bootstrap.yaml");
    this.launcher = launcher;
    this.source = source;
    this.ticker = ticker;
    this.backoff = new Backoff(cfg.restart().baseBackoff(), cfg.restart().maxBackoff());
    this.linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
  }

  /** The command line used for each start. */
  public List<String> command() {
    List<String> envoy = EnvoyCommand.build(binary, bootstrapPath, cfg, linux);
    if (user.isEmpty()) {
      return envoy;
    }
    List<String> cmd = new ArrayList<>(user.get().commandPrefix());
    cmd.addAll(envoy);
    return List.copyOf(cmd);
  }

  /**
   * Starts Envoy with {@code bootstrap} and supervises it until {@link #stop()} is called (returns
   * 0) or, with restarts off, until Envoy exits (returns 0 for a clean exit, else 1).
   */
  public int run(byte[] bootstrap) throws InterruptedException {
    byte[] config = bootstrap;
    while (true) {
      RunningProcess p;
      long startedAt = ticker.nanoTime();
      String failure = null;
      synchronized (lock) {
        if (stopRequested) {
          return 0;
        }
        try {
          writeBootstrap(config);
          p = launcher.start(command());
          current = p;
          admin = AdminEndpoint.fromBootstrap(config).map(e -> new EnvoyAdmin(e, ADMIN_TIMEOUT)).orElse(null);
          starts++;
        } catch (IOException | RuntimeException e) {
          p = null;
          failure = "could not start Envoy: " + e.getMessage();
        }
      }
      int code;
      if (p != null) {
        Optional<EnvoyAdmin> a = admin();
        log.info("Envoy started pid={} admin={} config={}", p.pid(), a.map(x -> x.endpoint().toString()).orElse("none"),
            bootstrapPath);
        code = p.waitFor();
        synchronized (lock) {
          current = null;
          lastExitCode = code;
          if (stopRequested) {
            log.info("Envoy stopped exitCode={}", code);
            return 0;
          }
        }
      } else {
        code = -1;
        synchronized (lock) {
          lastExitCode = code;
        }
        log.error(failure);
      }

      synchronized (lock) {
        if (restartsPrevented) {
          log.info("Envoy exited while kuma-dp is shutting down ({}); not restarting it", describe(code));
          return 0;
        }
      }
      if (!cfg.restart().enabled()) {
        log.error(
            "Envoy exited unexpectedly ({}); kuma-dp exits too because Envoy restarts are off (--envoy-restart=false)",
            describe(code));
        return code == 0 ? 0 : 1;
      }
      int crashes;
      synchronized (lock) {
        if (ticker.since(startedAt).compareTo(STABLE_AFTER) >= 0) {
          crashesInRow = 0;
        }
        crashes = ++crashesInRow;
      }
      Duration delay = backoff.delay(crashes);
      if (crashes >= CRASH_LOOP) {
        log.warn(
            "Envoy is crash-looping: {} unexpected exits in a row, last {}; restarting in {}. "
                + "Check Envoy's output above (bad bootstrap? port in use?)",
            crashes, describe(code), GoDuration.format(delay));
      } else {
        log.warn("Envoy exited unexpectedly ({}); restarting in {}", describe(code), GoDuration.format(delay));
      }
      if (ticker.await(stopped, delay)) {
        return 0;
      }
      config = refetch(config);
    }
  }

  /**
   * Stops Envoy for good: SIGTERM, then SIGKILL after {@link #STOP_GRACE}. Returns once Envoy is
   * gone. Safe to call more than once and before {@link #run} started anything.
   */
  public void stop() throws InterruptedException {
    RunningProcess p;
    synchronized (lock) {
      stopRequested = true;
      stopped.countDown();
      p = current;
    }
    if (p == null) {
      return;
    }
    log.info("stopping Envoy pid={}", p.pid());
    p.terminate();
    if (!p.waitFor(STOP_GRACE)) {
      log.warn("Envoy pid={} did not exit within {} of SIGTERM; killing it", p.pid(), GoDuration.format(STOP_GRACE));
      p.kill();
      p.waitFor();
    }
  }

  /** From now on an exit of Envoy ends {@link #run} instead of restarting it (kuma-dp is draining). */
  public void preventRestarts() {
    synchronized (lock) {
      restartsPrevented = true;
    }
  }

  /** Kills Envoy at once (last resort on the way out). */
  public void kill() {
    RunningProcess p;
    synchronized (lock) {
      stopRequested = true;
      stopped.countDown();
      p = current;
    }
    if (p != null) {
      p.kill();
    }
  }

  /** The admin API of the running Envoy, if one is running and its bootstrap names an admin address. */
  public Optional<EnvoyAdmin> admin() {
    synchronized (lock) {
      return current != null && current.isAlive() ? Optional.ofNullable(admin) : Optional.empty();
    }
  }

  public Status status() {
    synchronized (lock) {
      return new Status(starts, crashesInRow, lastExitCode, current == null ? -1 : current.pid());
    }
  }

  private byte[] refetch(byte[] previous) {
    try {
      byte[] fresh = source.fetch();
      log.info("fetched a fresh bootstrap for the restart");
      return fresh;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return previous;
    } catch (Exception e) {
      log.warn("could not fetch a fresh bootstrap ({}); restarting Envoy with the previous one", e.getMessage());
      return previous;
    }
  }

  private void writeBootstrap(byte[] config) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(
        bootstrapPath,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ch.write(ByteBuffer.wrap(config));
    }
    Files.setPosixFilePermissions(bootstrapPath, PosixFilePermissions.fromString("rw-------"));
    if (user.isPresent()) {
      user.get().own(bootstrapPath);
    }
  }

  static String describe(int code) {
    if (code < 0) {
      return "it could not be started";
    }
    if (code > 128 && code < 128 + 65) {
      return "exit code " + code + ", killed by signal " + (code - 128);
    }
    return "exit code " + code;
  }
}
