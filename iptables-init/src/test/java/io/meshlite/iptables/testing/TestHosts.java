package io.meshlite.iptables.testing;

import io.meshlite.iptables.system.CommandRunner;
import io.meshlite.iptables.system.ExecutableLocator;
import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.UserLookup;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Hosts for tests: fake users, no real sleeping, executables only where the test puts them. */
public final class TestHosts {
  /** Users: root (0), nobody (65534), kuma-dp (5678). */
  public static final UserLookup USERS =
      new UserLookup() {
        private final Map<String, Long> users =
            Map.of("root", 0L, "nobody", 65534L, "kuma-dp", 5678L);

        @Override
        public OptionalLong uidOf(String name) {
          Long uid = users.get(name);
          return uid == null ? OptionalLong.empty() : OptionalLong.of(uid);
        }

        @Override
        public boolean uidExists(long uid) {
          return users.containsValue(uid);
        }

        @Override
        public long effectiveUid() {
          return 0;
        }
      };

  private TestHosts() {}

  /** A host whose only executables are in {@code bin}, and whose sleeps are recorded. */
  public static Host host(
      CommandRunner runner, Path bin, Map<String, String> env, List<Duration> sleeps) {
    return new Host(
        runner,
        new ExecutableLocator(bin == null ? null : bin.toString(), List.of()),
        USERS,
        () -> false,
        env,
        new ByteArrayInputStream(new byte[0]),
        sleeps::add,
        bin == null ? Path.of("/nonexistent/resolv.conf") : bin.resolve("resolv.conf"));
  }

  /** A host that cannot run anything: what a dry run sees on a bare machine. */
  public static Host bare(Map<String, String> env) {
    return host(new FakeRunner(), null, env, new ArrayList<>());
  }

  /** Creates empty executable files named {@code names} in {@code dir}. */
  public static Path executables(Path dir, String... names) throws IOException {
    Files.createDirectories(dir);
    for (String name : names) {
      Path file = dir.resolve(name);
      Files.writeString(file, "#!/bin/sh\nexit 99\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return dir;
  }
}
