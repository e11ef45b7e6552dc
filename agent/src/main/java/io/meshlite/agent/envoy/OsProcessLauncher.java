package io.meshlite.agent.envoy;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts real processes. Long-running ones get their own session through {@code setsid} when it is
 * available (as Kuma does with setpgid), so a Ctrl-C in a terminal reaches kuma-dp, which then
 * drains Envoy, instead of killing Envoy directly.
 *
 * <p>They are also started through {@code setpriv --pdeathsig KILL} (util-linux) when available:
 * the kernel then kills Envoy as soon as kuma-dp dies, even by SIGKILL or OOM kill, where no
 * shutdown hook runs (Kuma sets {@code Pdeathsig} the same way from Go). Both tools exec in place,
 * so the pid stays Envoy's. The death signal fires when the <em>thread</em> that started the
 * process ends, so {@link #start} must be called from a thread that lives as long as the process
 * should (kuma-dp starts Envoy from its main thread). Only a kuma-dp killed in the instant between
 * the exec of setpriv and its {@code prctl} call can still leave an Envoy behind (Go closes that gap
 * by checking the parent pid after {@code prctl}; setpriv does not); under systemd, the unit's
 * cgroup catches that case too.
 */
public final class OsProcessLauncher implements ProcessLauncher {
  private final Redirect stdout;
  private final Redirect stderr;
  private final Path setsid;
  private final Path setpriv;

  /** Output passed through to kuma-dp's own stdout and stderr. */
  public static OsProcessLauncher inheritingOutput() {
    return new OsProcessLauncher(Redirect.INHERIT, Redirect.INHERIT);
  }

  /** Output sent to the given redirects (tests send it to a file). */
  public OsProcessLauncher(Redirect stdout, Redirect stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.setsid = tool("setsid");
    this.setpriv = tool("setpriv");
  }

  /** Whether started processes die with this one (setpriv --pdeathsig is available). */
  public boolean killsChildrenOnDeath() {
    return setpriv != null;
  }

  private static Path tool(String name) {
    return List.of(Path.of("/usr/bin", name), Path.of("/bin", name)).stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(null);
  }

  @Override
  public RunningProcess start(List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (setpriv != null) {
      cmd.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL"));
    }
    if (setsid != null) {
      // setsid execs in place (a child of the JVM is never a process group leader): same pid.
      cmd.add(setsid.toString());
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(stdout)
        .redirectError(stderr)
        .start();
    return new OsProcess(p);
  }

  @Override
  public String output(List<String> command, Duration timeout) throws IOException, InterruptedException {
    Path out = Files.createTempFile("kuma-dp-cmd", ".out");
    try {
      Process p = new ProcessBuilder(command)
          .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + "s");
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private record OsProcess(Process p) implements RunningProcess {
    @Override
    public long pid() {
      return p.pid();
    }

    @Override
    public boolean isAlive() {
      return p.isAlive();
    }

    @Override
    public int waitFor() throws InterruptedException {
      return p.waitFor();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
      return p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void terminate() {
      p.destroy();
    }

    @Override
    public void kill() {
      p.destroyForcibly();
    }
  }
}
