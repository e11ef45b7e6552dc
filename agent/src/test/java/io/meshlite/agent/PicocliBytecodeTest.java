package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * kuma-dp's JDK AOT cache can only hold classes of class-file version 50 (Java 6) or newer. The published
 * picocli jar is Java 5 bytecode, so its classes were loaded and verified from the jar on every start
 * (≈ 70–110 ms, docs/bench/agent.md); the build compiles picocli's sources for Java 21 instead
 * (third-party/picocli). This fails if the Java 5 jar comes back onto the classpath.
 */
class PicocliBytecodeTest {
  @Test
  void picocliOnTheClasspathIsCompiledForJava21() throws IOException {
    for (Class<?> c : new Class<?>[] {CommandLine.class, CommandLine.Model.CommandSpec.class, CommandLine.Help.class}) {
      assertThat(majorVersion(c)).as("class-file major version of %s (the AOT cache needs 50+)", c.getName()).isGreaterThanOrEqualTo(50);
    }
  }

  private static int majorVersion(Class<?> c) throws IOException {
    String resource = "/" + c.getName().replace('.', '/') + ".class";
    try (InputStream in = c.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      DataInputStream data = new DataInputStream(in);
      assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
      data.readUnsignedShort(); // minor
      return data.readUnsignedShort();
    }
  }
}
