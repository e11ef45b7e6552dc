package io.meshlite.agent.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Envoy for tests: {@code ENVOY_BINARY}, else {@code <repo>/dist/bin/envoy}, else {@code
 * envoy} on PATH. Fails (never skips) when none is there.
 */
public final class EnvoyBinaries {
  private EnvoyBinaries() {}

  public static Path require() {
    String env = System.getenv("ENVOY_BINARY");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path dist = dir.resolve("dist/bin/envoy");
      if (Files.isExecutable(dist)) {
        return dist;
      }
      if (Files.isDirectory(dir.resolve("agent")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        break;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        Path p = Path.of(d, "envoy");
        if (!d.isEmpty() && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new AssertionError(
        "no Envoy binary: set ENVOY_BINARY, or run envoy/install.sh to get <repo>/dist/bin/envoy");
  }
}
