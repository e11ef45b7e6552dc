package io.meshlite.agent.envoy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the Envoy binary the way kuma-dp does. */
public final class EnvoyBinary {
  private EnvoyBinary() {}

  /**
   * Resolves {@code --binary-path}. A value with a slash is used as given. A bare name is looked up
   * on {@code PATH}, then in the current directory, then next to the kuma-dp launcher ({@code
   * <dist>/bin}).
   *
   * @param launcherDir the directory of the kuma-dp launcher, or null if unknown
   * @throws IllegalArgumentException naming where it looked and what to do
   */
  public static Path locate(String binaryPath, String pathEnv, Path cwd, Path launcherDir) {
    if (binaryPath.contains("/")) {
      Path p = cwd.resolve(binaryPath);
      if (executable(p)) {
        return p.toAbsolutePath().normalize();
      }
      throw new IllegalArgumentException(
          "Envoy binary " + binaryPath + " does not exist or is not executable: fix --binary-path "
              + "(KUMA_DATAPLANE_RUNTIME_BINARY_PATH) or install Envoy with envoy/install.sh");
    }
    List<Path> candidates = new ArrayList<>();
    if (pathEnv != null) {
      for (String dir : pathEnv.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(cwd.resolve(dir).resolve(binaryPath));
        }
      }
    }
    candidates.add(cwd.resolve(binaryPath));
    if (launcherDir != null) {
      candidates.add(launcherDir.resolve(binaryPath));
    }
    for (Path c : candidates) {
      if (executable(c)) {
        return c.toAbsolutePath().normalize();
      }
    }
    throw new IllegalArgumentException(
        "could not find the Envoy binary \"" + binaryPath + "\" on PATH, in ./ or "
            + (launcherDir == null ? "next to kuma-dp" : "in " + launcherDir)
            + ": install it with envoy/install.sh or pass --binary-path");
  }

  private static boolean executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p);
  }
}
