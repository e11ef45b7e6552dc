package io.meshlite.tests.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A dist/ with the layout scripts/build.sh produces (bin/ launchers sourcing bin/.launcher, lib/, conf/,
 * bin/envoy), made from what Maven just built: the test's classpath, with class directories packed into
 * jars, so the provisioning scripts install and run exactly what the reactor compiled. Every file is
 * world-readable: the services run as kuma, kuma-dp and nobody, who cannot read ~/.m2 under /root.
 */
public final class TestDist {
  private static final String SMALL_JVM = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";
  private static final List<String[]> BINARIES =
      List.of(
          new String[] {"kuma-cp", "io.meshlite.cp.CpMain"},
          new String[] {"kuma-dp", "io.meshlite.agent.AgentMain"},
          new String[] {"kumactl", "io.meshlite.kumactl.KumactlMain"},
          new String[] {"kuma-init", "io.meshlite.iptables.KumaInitMain"},
          new String[] {"kuma-tcp-echo", "io.meshlite.agent.echo.TcpEchoMain"});

  private TestDist() {}

  /**
   * Writes {@code bin/<binary>} as scripts/build.sh does: the binary's variables, then
   * scripts/lib/launcher-head.sh, which finds and sources {@code bin/.launcher}.
   */
  public static Path writeLauncher(Path bin, String binary, String mainClass, String lib, String jvmFlags)
      throws IOException {
    Path launcher = bin.resolve(binary);
    Files.writeString(
        launcher,
        """
        #!/usr/bin/env bash
        # %1$s launcher (the test's dist, io.meshlite.tests.support.TestDist)
        MESHLITE_BINARY=%1$s
        MESHLITE_MAIN=%2$s
        MESHLITE_LIB=%3$s
        MESHLITE_JVM_FLAGS=(%4$s)
        """
                .formatted(binary, mainClass, lib, jvmFlags)
            + Files.readString(RepoRoot.get().resolve("scripts/lib/launcher-head.sh")));
    return launcher;
  }

  /** Assembles the dist in {@code dir} (created) and returns it. */
  public static Path assemble(Path dir) {
    try {
      Path root = RepoRoot.get();
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path lib = Files.createDirectories(dir.resolve("lib/all"));
      Path conf = Files.createDirectories(dir.resolve("conf"));
      int n = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(entry);
        if (Files.isDirectory(p)) {
          jar(p, lib.resolve(String.format("%03d-classes.jar", n++)));
        } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
          copy(p, lib.resolve(String.format("%03d-%s", n++, p.getFileName())));
        }
      }
      Files.copy(root.resolve("scripts/lib/jdk.sh"), bin.resolve(".jdk.sh"));
      Files.copy(root.resolve("scripts/lib/launcher.sh"), bin.resolve(".launcher"));
      for (String[] b : BINARIES) {
        writeLauncher(bin, b[0], b[1], "all", SMALL_JVM);
      }
      copy(EnvoyBinary.require(), bin.resolve("envoy"));
      Files.copy(root.resolve("cp-lite/server/src/main/resources/kuma-cp.defaults.yaml"), conf.resolve("kuma-cp.conf.yaml"));
      for (String f : List.of("kuma-cp.service", "kuma-dp@.service", "kuma-sysusers.conf")) {
        Files.copy(root.resolve("scripts/systemd").resolve(f), conf.resolve(f));
      }
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.toList()) {
          boolean exec = Files.isDirectory(p) || p.getParent().equals(bin);
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, j);
        j.closeEntry();
      }
    }
  }
}
