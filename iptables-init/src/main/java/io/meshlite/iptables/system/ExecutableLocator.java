package io.meshlite.iptables.system;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Finds executables on {@code PATH} plus the sbin directories iptables usually lives in. */
public final class ExecutableLocator {
  private static final List<String> FALLBACK_DIRS =
      List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin");

  private final List<Path> dirs;

  /** Searches {@code pathVariable} (may be null) and then the usual sbin/bin directories. */
  public ExecutableLocator(String pathVariable) {
    this(pathVariable, FALLBACK_DIRS);
  }

  /** Searches {@code pathVariable} (may be null) and then {@code fallbackDirs}. */
  public ExecutableLocator(String pathVariable, List<String> fallbackDirs) {
    Set<String> ordered = new LinkedHashSet<>();
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          ordered.add(dir);
        }
      }
    }
    ordered.addAll(fallbackDirs);
    List<Path> paths = new ArrayList<>();
    ordered.forEach(dir -> paths.add(Path.of(dir)));
    this.dirs = List.copyOf(paths);
  }

  /** The directories searched, in order. */
  public List<Path> dirs() {
    return dirs;
  }

  /** {@code name} as an absolute/relative path if it contains a slash, else searched by name. */
  public Optional<Path> find(String name) {
    if (name.contains("/")) {
      Path path = Path.of(name);
      return Files.isRegularFile(path) && Files.isExecutable(path)
          ? Optional.of(path)
          : Optional.empty();
    }
    for (Path dir : dirs) {
      Path candidate = dir.resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
