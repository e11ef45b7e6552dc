package io.meshlite.tests.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, found from the working directory Maven runs tests in. */
public final class RepoRoot {
  private RepoRoot() {}

  public static Path get() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.exists(p.resolve("envoy")) && Files.exists(p.resolve("cp-lite"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
  }
}
