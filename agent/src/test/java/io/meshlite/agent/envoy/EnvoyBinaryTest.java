package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyBinaryTest {
  @TempDir Path tmp;

  private Path exe(String dir) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(dir));
    Path f = Files.writeString(d.resolve("envoy"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  @Test
  void lookupOrderIsPathThenCwdThenLauncherDir() throws Exception {
    Path onPath = exe("path");
    Path inCwd = exe("cwd");
    Path inBin = exe("dist/bin");
    Files.createDirectories(tmp.resolve("empty"));
    assertThat(EnvoyBinary.locate("envoy", tmp.resolve("empty") + ":" + onPath.getParent(), inCwd.getParent(), inBin.getParent()))
        .isEqualTo(onPath);
    assertThat(EnvoyBinary.locate("envoy", tmp.resolve("empty").toString(), inCwd.getParent(), inBin.getParent()))
        .isEqualTo(inCwd);
    assertThat(EnvoyBinary.locate("envoy", "", tmp.resolve("empty"), inBin.getParent())).isEqualTo(inBin);
  }

  @Test
  void aPathIsUsedAsGiven() throws Exception {
    Path e = exe("opt");
    assertThat(EnvoyBinary.locate(e.toString(), "", tmp, null)).isEqualTo(e);
    Path plain = Files.writeString(tmp.resolve("not-exec"), "x");
    assertThatThrownBy(() -> EnvoyBinary.locate(plain.toString(), "", tmp, null))
        .hasMessageContaining("does not exist or is not executable");
  }

  @Test
  void notFoundSaysWhatToDo() {
    assertThatThrownBy(() -> EnvoyBinary.locate("envoy", "", tmp, tmp.resolve("bin")))
        .hasMessageContaining("could not find the Envoy binary \"envoy\"")
        .hasMessageContaining("envoy/install.sh")
        .hasMessageContaining("--binary-path");
  }
}
