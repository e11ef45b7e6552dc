package io.meshlite.agent.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  @TempDir Path dir;

  @Test
  void theTokenIsCopiedStrippedWithOwnerOnlyPermissions() throws Exception {
    Path source = Files.writeString(dir.resolve("token"), "  aaa.bbb.ccc\n\n");
    TokenFile t = new TokenFile(null, source, dir.resolve("web-1"));

    assertThat(t.refresh()).isEqualTo("aaa.bbb.ccc");
    assertThat(Files.readString(dir.resolve("web-1"))).isEqualTo("aaa.bbb.ccc");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("web-1")))).isEqualTo("rw-------");
    assertThat(t.installed()).isEqualTo("aaa.bbb.ccc");
    assertThat(t.path()).isEqualTo(dir.resolve("web-1"));
  }

  @Test
  void anInlineTokenWinsAndHasNoSourceToFollow() throws Exception {
    TokenFile t = new TokenFile("x.y.z", null, dir.resolve("web-1"));

    assertThat(t.refresh()).isEqualTo("x.y.z");
    assertThat(t.source()).isEmpty();
    assertThat(new TokenFile(null, null, dir.resolve("a")).present()).isFalse();
  }

  @Test
  void onlySomethingShapedLikeAJwtIsATokenCandidate() {
    assertThat(TokenFile.problem("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).isEmpty();
    assertThat(TokenFile.problem("")).contains("it is empty");
    assertThat(TokenFile.problem("a.b")).contains("it is not a JWT (expected: three parts separated by dots)");
    assertThat(TokenFile.problem("eyJhbGciOiJSUzI1NiJ9.e30.c2ln\neyJ.e30.x")).contains("it spans several lines (expected: one JWT)");
    assertThat(TokenFile.problem("e30.e30.c2ln")).contains("its header names no signing algorithm (alg)");
  }
}
