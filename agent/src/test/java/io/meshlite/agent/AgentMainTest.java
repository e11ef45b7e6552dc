package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.envoy.ProcessLauncher;
import io.meshlite.agent.testing.FakeTicker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line up to the point where the agent would start (no processes, no ports). */
class AgentMainTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    ProcessLauncher noProcesses = new ProcessLauncher() {
      @Override
      public io.meshlite.agent.envoy.RunningProcess start(java.util.List<String> command) throws IOException {
        throw new IOException("no processes in unit tests");
      }

      @Override
      public String output(java.util.List<String> command, java.time.Duration timeout) throws IOException {
        throw new IOException("no processes in unit tests");
      }
    };
    AgentEnvironment host = new AgentEnvironment(env, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        noProcesses, handler -> {}, new FakeTicker(), tmp, null, tmp, code -> {});
    return new AgentMain(host).execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /**
   * The help is what users read first and what the annotated picocli model printed (the model is built in
   * code now, for start-up time): the files are that model's output, byte for byte.
   */
  @ParameterizedTest
  @CsvSource({"root, --help", "run, run --help", "version, version --help"})
  void helpIsUnchanged(String file, String args) throws IOException {
    assertThat(run(Map.of(), args.split(" "))).isZero();
    String expected;
    try (var in = AgentMainTest.class.getResourceAsStream("/help/" + file + ".txt")) {
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void unknownFlagIsOneLine() {
    assertThat(run(Map.of(), "run", "--nope")).isEqualTo(1);
    assertThat(err()).isEqualTo("Error: Unknown option: '--nope' (see kuma-dp run --help)\n");
  }

  @Test
  void badValueIsOneLine() {
    assertThat(run(Map.of(), "run", "--admin-port", "x")).isEqualTo(1);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).contains("--admin-port").contains("'x' is not an int");
  }

  @Test
  void invalidConfigurationIsOneLineListingEveryProblem() {
    assertThat(run(Map.of(), "run", "--drain-time", "0s")).isEqualTo(1);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).startsWith("Error: invalid configuration: ")
        .contains("--mesh (KUMA_DATAPLANE_MESH): must be set")
        .contains("--drain-time: 0s must be greater than 0");
  }

  @Test
  void logLevelIsInheritedByRunInEitherPosition() {
    assertThat(run(Map.of(), "--log-level", "loud", "run", "--name", "a", "--mesh", "m")).isEqualTo(1);
    assertThat(err()).contains("--log-level: \"loud\" is not valid");
    err.reset();
    assertThat(run(Map.of(), "run", "--log-level", "loud", "--name", "a", "--mesh", "m")).isEqualTo(1);
    assertThat(err()).contains("--log-level: \"loud\" is not valid");
  }

  @Test
  void missingEnvoyIsOneLine() {
    assertThat(run(Map.of("PATH", tmp.toString()), "run", "--name", "a", "--mesh", "m",
        "--cp-address", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err().lines().filter(l -> l.startsWith("Error: ")).toList()).singleElement()
        .asString().contains("could not find the Envoy binary").contains("envoy/install.sh");
  }

  @Test
  void versionAndHelp() {
    assertThat(run(Map.of(), "version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(io.meshlite.api.Versions.VERSION + "\n");
    out.reset();
    assertThat(run(Map.of(), "run", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--cp-address").contains("KUMA_CONTROL_PLANE_URL");
    out.reset();
    assertThat(run(Map.of())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("run").contains("version");
  }
}
