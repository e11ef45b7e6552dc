package io.meshlite.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Stand-in Envoy scripts for supervision tests (never for anything Envoy itself must do). */
public final class Scripts {
  private Scripts() {}

  /** An executable sh script whose {@code --version} prints Envoy's format with {@code version}. */
  public static Path fakeEnvoy(Path dir, String version, String body) {
    String text = "#!/bin/sh\n"
        + "if [ \"$1\" = \"--version\" ]; then\n"
        + "  echo\n"
        + "  echo \"$0  version: 0123456789abcdef/" + version + "/Clean/RELEASE/BoringSSL\"\n"
        + "  exit 0\n"
        + "fi\n"
        + body + "\n";
    try {
      Path p = dir.resolve("envoy");
      Files.writeString(p, text);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
