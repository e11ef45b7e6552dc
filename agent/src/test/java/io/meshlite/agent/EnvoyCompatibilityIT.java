package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.support.Ticker;
import io.meshlite.agent.testing.FakeControlPlane.Answer;
import io.meshlite.agent.testing.FakeControlPlane;
import io.meshlite.agent.testing.Scripts;
import io.meshlite.agent.testing.TestSignals;
import io.meshlite.api.Versions;
import io.meshlite.api.testing.Ports;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Envoy version check runs {@code envoy --version} of a stand-in binary. */
class EnvoyCompatibilityIT {
  @TempDir Path tmp;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Path envoy, String cpAddress, String... extra) {
    AgentEnvironment host = new AgentEnvironment(Map.of("KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "10ms"),
        new ByteArrayInputStream(new byte[0]), System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
        new OsProcessLauncher(Redirect.DISCARD, Redirect.DISCARD), new TestSignals(), Ticker.system(), tmp, null, tmp,
        code -> {});
    String[] base = {"run", "--name", "dp-1", "--mesh", "default", "--cp-address", cpAddress,
      "--binary-path", envoy.toString(), "--readiness-port", Integer.toString(Ports.free()), "--dns-proxy-port", Integer.toString(Ports.free())};
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
        .toArray(String[]::new);
    return new AgentMain(host).execute(args);
  }

  @Test
  void anotherMinorVersionIsRefusedWithOneLine() throws Exception {
    Path envoy = Scripts.fakeEnvoy(tmp, "1.38.2", "exit 0");
    try (FakeControlPlane cp = new FakeControlPlane(Answer.notFound())) {
      assertThat(run(envoy, cp.address())).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Error: Envoy 1.38.2 (" + envoy
          + ") is not supported by this kuma-dp, which needs Envoy 1.39.x (bundled: " + Versions.ENVOY
          + "): install the bundled Envoy (envoy/install.sh) or pass --ignore-envoy-compatibility to run it anyway\n");
      assertThat(cp.requests()).isEmpty();
    }
  }

  @Test
  void theOverrideLetsItThroughAndTheVersionIsReported() throws Exception {
    Path envoy = Scripts.fakeEnvoy(tmp, "1.38.2", "exit 0");
    try (FakeControlPlane cp = new FakeControlPlane(Answer.text(422, "mesh \"default\" does not exist"))) {
      assertThat(run(envoy, cp.address(), "--ignore-envoy-compatibility")).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Error: Invalid request: mesh \"default\" does not exist\n");
      assertThat(cp.requests()).singleElement().asString()
          .contains("\"version\":\"1.38.2\"").contains("\"kumaDpCompatible\":false");
    }
  }

  @Test
  void notEnvoyAtAll() throws Exception {
    Path fake = tmp.resolve("envoy");
    java.nio.file.Files.writeString(fake, "#!/bin/sh\necho hello\n");
    java.nio.file.Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    assertThat(run(fake, "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Error: " + fake + " does not look like Envoy");
  }
}
