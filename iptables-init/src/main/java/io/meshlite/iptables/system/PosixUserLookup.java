package io.meshlite.iptables.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/**
 * {@link UserLookup} through libc ({@code getpwnam}, {@code getpwuid}, {@code geteuid}) via
 * JNR-POSIX, so NSS sources (LDAP, sssd) count too. Falls back to {@code /etc/passwd} and {@code
 * /proc/self/status} when the native library cannot be loaded.
 */
public final class PosixUserLookup implements UserLookup {
  private POSIX posix;
  private boolean loaded;

  /** Loads libc lazily, on the first lookup, so commands that never need it never load it. */
  public PosixUserLookup() {}

  private synchronized POSIX posix() {
    if (!loaded) {
      loaded = true;
      try {
        POSIX candidate = POSIXFactory.getNativePOSIX();
        posix = candidate.isNative() ? candidate : null;
      } catch (RuntimeException | LinkageError e) {
        posix = null;
      }
    }
    return posix;
  }

  @Override
  public OptionalLong uidOf(String name) {
    POSIX lib = posix();
    if (lib != null) {
      Passwd passwd = lib.getpwnam(name);
      return passwd == null ? OptionalLong.empty() : OptionalLong.of(passwd.getUID());
    }
    return passwdFile().stream()
        .map(line -> line.split(":", -1))
        .filter(f -> f.length > 2 && f[0].equals(name) && f[2].matches("\\d+"))
        .mapToLong(f -> Long.parseLong(f[2]))
        .findFirst();
  }

  @Override
  public boolean uidExists(long uid) {
    POSIX lib = posix();
    if (lib != null) {
      return lib.getpwuid((int) uid) != null;
    }
    return passwdFile().stream()
        .map(line -> line.split(":", -1))
        .anyMatch(f -> f.length > 2 && f[2].equals(Long.toString(uid)));
  }

  @Override
  public long effectiveUid() {
    POSIX lib = posix();
    if (lib != null) {
      return Integer.toUnsignedLong(lib.geteuid());
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through: unknown identity is treated as unprivileged
    }
    return -1;
  }

  private static List<String> passwdFile() {
    try {
      return Files.readAllLines(Path.of("/etc/passwd"));
    } catch (IOException e) {
      return List.of();
    }
  }
}
