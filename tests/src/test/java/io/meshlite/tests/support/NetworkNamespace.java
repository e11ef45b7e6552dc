package io.meshlite.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace the test creates (and deletes on {@link #close()}): a "host" with its
 * own interfaces, addresses, routes and iptables rules. Commands and our binaries run inside it
 * through {@code ip netns exec}, which execs in place, so a started process is the program itself
 * and its children (an agent's Envoy) are its descendants. Needs root and iproute2; fails (never
 * skips) without them.
 */
public final class NetworkNamespace implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final String name;

  private NetworkNamespace(String name) {
    this.name = name;
  }

  /** Creates the namespace with its loopback up. */
  public static NetworkNamespace create(String name) {
    CommandResult added = run(List.of("ip", "netns", "add", name), COMMAND_TIMEOUT);
    if (added.exitCode() != 0) {
      throw new AssertionError(
          "ip netns add " + name + " failed (" + added.stderr().strip()
              + "): this end-to-end test needs root, iproute2 and network namespace support");
    }
    NetworkNamespace ns = new NetworkNamespace(name);
    ns.execOk("ip", "link", "set", "lo", "up");
    return ns;
  }

  /**
   * Joins two namespaces with a veth pair and gives each end an address (CIDR form). The pair is
   * created inside {@code a}, so no interface ever appears in the test's own namespace.
   */
  public static void link(NetworkNamespace a, String aIf, String aCidr, NetworkNamespace b, String bIf, String bCidr) {
    a.execOk("ip", "link", "add", aIf, "type", "veth", "peer", "name", bIf, "netns", b.name);
    a.execOk("ip", "addr", "add", aCidr, "dev", aIf);
    b.execOk("ip", "addr", "add", bCidr, "dev", bIf);
    a.execOk("ip", "link", "set", aIf, "up");
    b.execOk("ip", "link", "set", bIf, "up");
  }

  public String name() {
    return name;
  }

  /** Runs a command inside the namespace to completion. */
  public CommandResult exec(Duration timeout, String... argv) {
    return run(prefixed(List.of(argv)), timeout);
  }

  /** Runs a command inside the namespace and returns its stdout; fails the test if it fails. */
  public String execOk(String... argv) {
    CommandResult r = exec(COMMAND_TIMEOUT, argv);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          "in " + name + ": " + String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
    }
    return r.stdout();
  }

  /** {@code curl -sS --max-time <s> ...} inside the namespace. */
  public CommandResult curl(Duration maxTime, String... args) {
    List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", Long.toString(maxTime.toSeconds())));
    argv.addAll(List.of(args));
    return exec(maxTime.plusSeconds(10), argv.toArray(String[]::new));
  }

  /** Starts a long-running command inside the namespace; its output goes to {@code <logDir>/<label>.log}. */
  public NamespacedProcess start(String label, Path logDir, List<String> argv, Map<String, String> env) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(label + ".log");
      ProcessBuilder pb = new ProcessBuilder(prefixed(argv)).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new NamespacedProcess(label, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts one of our binaries ({@code mainClass}) inside the namespace, from the test classpath. */
  public NamespacedProcess startJava(
      String label, Path logDir, String mainClass, List<String> args, Map<String, String> env) {
    return start(label, logDir, javaCommand(mainClass, args), env);
  }

  /**
   * Starts one of our binaries inside the namespace as user {@code uid} (and its group), the way a
   * VM runs kuma-dp as the transparent proxy's exempt user: {@code setpriv --reuid --regid
   * --clear-groups} from util-linux, which execs in place, so the process is still the program. The
   * test classpath usually lives under {@code /root}, which that user cannot read: the jars are
   * hard-linked (copied across file systems) into {@code libDir}, which must be readable by it.
   */
  public NamespacedProcess startJavaAs(
      String uid, Path libDir, String label, Path logDir, String mainClass, List<String> args, Map<String, String> env) {
    List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid", uid, "--regid", uid, "--clear-groups"));
    argv.addAll(javaCommand(mainClass, args, readableClasspath(libDir)));
    return start(label, logDir, argv, env);
  }

  /** The test classpath with every jar linked into {@code libDir} (directories kept as they are). */
  private static String readableClasspath(Path libDir) {
    try {
      Files.createDirectories(libDir);
      List<String> entries = new ArrayList<>();
      int i = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path source = Path.of(entry);
        if (!entry.endsWith(".jar") || !Files.isRegularFile(source)) {
          entries.add(entry);
          continue;
        }
        Path target = libDir.resolve((i++) + "-" + source.getFileName());
        if (!Files.exists(target)) {
          try {
            Files.createLink(target, source);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
          }
        }
        entries.add(target.toString());
      }
      return String.join(java.io.File.pathSeparator, entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Gives the namespace its own {@code /etc/resolv.conf}: {@code ip netns exec} bind-mounts {@code
   * /etc/netns/<name>/resolv.conf} over it for every command it runs. Removed on {@link #close()}.
   */
  public void resolvConf(String content) {
    try {
      Path dir = Files.createDirectories(Path.of("/etc/netns", name));
      Files.writeString(dir.resolve("resolv.conf"), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs one of our binaries inside the namespace to completion (stdout and stderr apart). */
  public CommandResult runJava(String mainClass, String... args) {
    return run(prefixed(javaCommand(mainClass, List.of(args))), COMMAND_TIMEOUT);
  }

  /** The java command line the other end-to-end fixtures use, for {@code mainClass args...}. */
  static List<String> javaCommand(String mainClass, List<String> args) {
    return javaCommand(mainClass, args, System.getProperty("java.class.path"));
  }

  private static List<String> javaCommand(String mainClass, List<String> args, String classpath) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  private List<String> prefixed(List<String> argv) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
    cmd.addAll(argv);
    return cmd;
  }

  private static CommandResult run(List<String> command, Duration timeout) {
    try {
      Path out = Files.createTempFile("netns-out", ".txt");
      Path err = Files.createTempFile("netns-err", ".txt");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor();
          throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
        }
        return new CommandResult(
            p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Deletes the namespace (its interfaces, addresses and iptables rules go with it). */
  @Override
  public void close() {
    run(List.of("ip", "netns", "del", name), COMMAND_TIMEOUT);
    try {
      Path etc = Path.of("/etc/netns", name);
      Files.deleteIfExists(etc.resolve("resolv.conf"));
      Files.deleteIfExists(etc);
    } catch (IOException e) {
      // left behind: harmless, and named after this namespace only
    }
  }

  /**
   * Exit code and output of a finished command.
   *
   * @param exitCode the exit code
   * @param stdout standard output
   * @param stderr standard error
   */
  public record CommandResult(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  @Override
  public String toString() {
    return "netns " + name;
  }
}
