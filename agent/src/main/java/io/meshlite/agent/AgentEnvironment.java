package io.meshlite.agent;

import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.envoy.ProcessLauncher;
import io.meshlite.agent.lifecycle.OsSignals;
import io.meshlite.agent.lifecycle.SignalSource;
import io.meshlite.agent.support.Ticker;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Everything kuma-dp takes from its host, in one place so tests can replace any of it.
 *
 * @param env environment variables
 * @param launcherDir the directory of the kuma-dp launcher ({@code <dist>/bin}), or null
 * @param cgroupRoot where the cgroup memory limit is read
 * @param halt ends the process at once (third signal)
 */
public record AgentEnvironment(
    Map<String, String> env,
    InputStream stdin,
    PrintStream out,
    PrintStream err,
    ProcessLauncher launcher,
    SignalSource signals,
    Ticker ticker,
    Path cwd,
    Path launcherDir,
    Path cgroupRoot,
    IntConsumer halt) {

  /** System property the launcher script may set to its own directory. */
  public static final String LAUNCHER_DIR_PROPERTY = "meshlite.bin.dir";

  public AgentEnvironment {
    env = Map.copyOf(env);
  }

  /** The real host. */
  public static AgentEnvironment system() {
    return new AgentEnvironment(
        System.getenv(),
        System.in,
        System.out,
        System.err,
        OsProcessLauncher.inheritingOutput(),
        new OsSignals(),
        Ticker.system(),
        Path.of("").toAbsolutePath(),
        findLauncherDir(),
        Path.of("/sys/fs/cgroup"),
        code -> Runtime.getRuntime().halt(code));
  }

  /** A copy with other environment variables. */
  public AgentEnvironment withEnv(Map<String, String> vars) {
    return new AgentEnvironment(vars, stdin, out, err, launcher, signals, ticker, cwd, launcherDir, cgroupRoot, halt);
  }

  /**
   * {@code -Dmeshlite.bin.dir}, else {@code <dist>/bin} derived from this jar's place in {@code
   * <dist>/lib/kuma-dp/}.
   */
  static Path findLauncherDir() {
    String prop = System.getProperty(LAUNCHER_DIR_PROPERTY, "");
    if (!prop.isEmpty()) {
      return Path.of(prop);
    }
    try {
      var src = AgentEnvironment.class.getProtectionDomain().getCodeSource();
      if (src == null) {
        return null;
      }
      Path jar = Path.of(src.getLocation().toURI());
      Path lib = jar.getParent() == null ? null : jar.getParent().getParent();
      if (lib != null && lib.getFileName() != null && lib.getFileName().toString().equals("lib")) {
        Path bin = lib.getParent().resolve("bin");
        return Files.isDirectory(bin) ? bin : null;
      }
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
