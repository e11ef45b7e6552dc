package io.meshlite.kumactl.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.kumactl.output.Printers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Reads and atomically writes kumactl's configuration file. */
public final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * Reads the file.
   *
   * @throws IllegalArgumentException with a one-line reason when it cannot be read or parsed
   */
  public static KumactlConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("failed to read configuration file \"" + file + "\": " + e.getMessage(), e);
    }
    try {
      JsonNode tree = text.isBlank() ? null : Json.yaml().readTree(text);
      if (tree != null && !tree.isObject() && !tree.isNull() && !tree.isMissingNode()) {
        throw new IllegalArgumentException("failed to parse configuration file \"" + file + "\": expected a mapping");
      }
      return KumactlConfig.of(tree);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException("failed to parse configuration file \"" + file + "\": " + msg, e);
    }
  }

  /** The YAML written to disk (keys sorted, like Kuma's proto-to-YAML). */
  public static String render(KumactlConfig cfg) {
    return Printers.yaml(cfg.tree());
  }

  /**
   * Writes the file atomically: a temporary file in the same directory (mode 0600 where POSIX) is
   * moved over the target, so a crash never leaves a half-written configuration.
   */
  public static void write(Path file, KumactlConfig cfg) {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".config-", ".tmp");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // Not a POSIX file system: keep the default permissions.
        }
        Files.writeString(tmp, render(cfg), StandardCharsets.UTF_8);
        try {
          Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write configuration file \"" + file + "\": " + e.getMessage(), e);
    }
  }
}
