package io.meshlite.tests.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the real Envoy the end-to-end tests run: ENVOY_BINARY, then dist/bin/envoy, then PATH. */
public final class EnvoyBinary {
  private EnvoyBinary() {}

  /** The Envoy binary, or a failure that tells how to install it. */
  public static Path require() {
    return find()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no Envoy binary found (ENVOY_BINARY, dist/bin/envoy, PATH): run envoy/install.sh"));
  }

  static Optional<Path> find() {
    String env = System.getenv("ENVOY_BINARY");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    Path dist = RepoRoot.get().resolve("dist/bin/envoy");
    if (Files.isExecutable(dist)) {
      return Optional.of(dist);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(":"))
        .filter(s -> !s.isEmpty())
        .map(s -> Path.of(s, "envoy"))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
