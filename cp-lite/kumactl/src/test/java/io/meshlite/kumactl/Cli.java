package io.meshlite.kumactl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Runs kumactl in-process against a temporary home directory and captures what it prints. */
final class Cli {
  /** The fixed "now" of every test run: ages in goldens are measured from it. */
  static final Instant NOW = Instant.parse("2026-08-20T12:00:00Z");

  /** What one run printed and returned. */
  record Result(int code, String out, String err) {}

  private final Path home;
  private String stdin = "";

  Cli(Path home) {
    this.home = home;
  }

  /** The configuration file kumactl uses by default in this home. */
  Path configFile() {
    return home.resolve(".kumactl").resolve("config");
  }

  /** Points the current context at {@code url}, writing the file as a Kuma user would have it. */
  Cli controlPlane(String url) throws IOException {
    Files.createDirectories(configFile().getParent());
    Files.writeString(
        configFile(),
        """
        contexts:
        - controlPlane: test
          name: test
        controlPlanes:
        - coordinates:
            apiServer:
              url: %s
          name: test
        currentContext: test
        """
            .formatted(url));
    return this;
  }

  Cli stdin(String text) {
    this.stdin = text;
    return this;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Env env =
        new Env(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            Clock.fixed(NOW, ZoneOffset.UTC),
            configFile());
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = KumactlMain.run(args, o, e, env);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
