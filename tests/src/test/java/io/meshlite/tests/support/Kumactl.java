package io.meshlite.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real kumactl as a child process against one control plane, with its own config file. */
public final class Kumactl {
  private final Path workDir;
  private final Path config;

  public Kumactl(Path workDir, String apiUrl) {
    this.workDir = workDir;
    this.config = workDir.resolve("kumactl-config.yaml");
    try {
      Files.createDirectories(workDir);
      Files.writeString(
          config,
          """
          contexts:
          - controlPlane: e2e
            name: e2e
          controlPlanes:
          - coordinates:
              apiServer:
                url: %s
            name: e2e
          currentContext: e2e
          """
              .formatted(apiUrl));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code kumactl <args>} and returns exit code and output. */
  public JavaProcess.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of("--config-file", config.toString()));
    all.addAll(List.of(args));
    return JavaProcess.run(
        "kumactl", workDir, "io.meshlite.kumactl.KumactlMain", all, Map.of("HOME", workDir.toString()));
  }

  /** Writes YAML to a file and applies it. */
  public JavaProcess.Result apply(String yaml) {
    try {
      Path f = Files.createTempFile(workDir, "apply-", ".yaml");
      Files.writeString(f, yaml);
      return run("apply", "-f", f.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
