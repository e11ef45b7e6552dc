package io.meshlite.tests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.tests.support.RepoRoot;
import io.meshlite.tests.support.TestDist;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dist/bin launchers (scripts/lib/launcher-head.sh, launcher.sh, jdk.sh), run by bash with a
 * stand-in {@code java} that prints the command line it was given: they must find their dist however
 * they are invoked (README: "the launchers work through symlinks"), and pass the AOT cache only when
 * its JDK stamp matches.
 */
class LauncherIT {
  @TempDir Path dir;
  private Path dist;
  private Path jdk;

  @BeforeEach
  void fakeJdkAndDist() throws IOException {
    jdk = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
    Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\nJAVA_VERSION=\"25.0.3\"\n");
    executable(Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n"));
    dist = Files.createDirectories(dir.resolve("dist")).toRealPath();
    Path bin = Files.createDirectories(dist.resolve("bin"));
    Files.createDirectories(dist.resolve("lib/tool"));
    Path root = RepoRoot.get();
    Files.copy(root.resolve("scripts/lib/jdk.sh"), bin.resolve(".jdk.sh"));
    Files.copy(root.resolve("scripts/lib/launcher.sh"), bin.resolve(".launcher"));
    executable(TestDist.writeLauncher(bin, "tool", "example.Main", "tool", "-Xss1m"));
  }

  @Test
  void findsItsDistByPathThroughASymlinkByBareNameAndOnThePath() throws Exception {
    Path tool = dist.resolve("bin/tool");
    Path links = Files.createDirectories(dir.resolve("links"));
    Path link = Files.createSymbolicLink(links.resolve("tool"), tool);

    assertStartsTheDist(run(dir, List.of(tool.toString(), "a", "b c"), Map.of()));
    assertStartsTheDist(run(dir, List.of(link.toString(), "a", "b c"), Map.of()));
    // `bash tool` from inside bin/: $0 has no slash.
    assertStartsTheDist(run(dist.resolve("bin"), List.of("bash", "tool", "a", "b c"), Map.of()));
    // Found on PATH, through the symlink.
    assertStartsTheDist(run(dir, List.of("bash", "-c", "tool \"$@\"", "-", "a", "b c"),
        Map.of("PATH", links + ":" + System.getenv("PATH"))));
  }

  @Test
  void usesTheAotCacheOnlyWhenItsJdkStampMatches() throws Exception {
    Path aot = dist.resolve("lib/tool/tool.aot");
    Files.writeString(aot, "not a real cache: the stand-in java does not read it");
    Path tool = dist.resolve("bin/tool");

    Files.writeString(dist.resolve("lib/tool/tool.aot.jdk"), "25.0.3+9-LTS\n");
    assertThat(run(dir, List.of(tool.toString()), Map.of())).contains("-XX:AOTCache=" + aot);

    Files.writeString(dist.resolve("lib/tool/tool.aot.jdk"), "25.0.2+7-LTS\n");
    assertThat(run(dir, List.of(tool.toString()), Map.of())).noneMatch(a -> a.startsWith("-XX:AOTCache="));
  }

  private void assertStartsTheDist(List<String> args) {
    assertThat(args).contains("-Xss1m", "-Dmeshlite.home=" + dist);
    int cp = args.indexOf("-cp");
    assertThat(cp).as("%s", args).isNotNegative();
    assertThat(args.subList(cp + 1, args.size())).containsExactly(dist + "/lib/tool/*", "example.Main", "a", "b c");
  }

  /** Runs the launcher; returns the arguments the stand-in java received, one per element. */
  private List<String> run(Path cwd, List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", jdk.toString());
    pb.environment().remove("JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return new ArrayList<>(List.of(out.split("\n")));
  }

  private static Path executable(Path p) throws IOException {
    return Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
