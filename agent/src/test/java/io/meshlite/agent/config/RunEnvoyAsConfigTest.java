package io.meshlite.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --run-envoy-as} / {@code KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS}. */
class RunEnvoyAsConfigTest {
  private static AgentConfig load(Map<String, String> env, String... args) {
    RunOptions run = new RunOptions();
    new CommandLine(RunOptions.spec(run)).parseArgs(args);
    return ConfigLoader.load(run, new LogOptions(), env, new ByteArrayInputStream(new byte[0]));
  }

  @Test
  void offByDefault() {
    assertThat(load(Map.of(), "--name", "a", "--mesh", "m").envoy().runAs()).isEmpty();
  }

  @Test
  void flagAndEnvironmentAsKumaDpReadsThem() {
    assertThat(load(Map.of(), "--name", "a", "--mesh", "m", "--run-envoy-as", "kuma-dp").envoy().runAs())
        .isEqualTo("kuma-dp");
    assertThat(
            load(Map.of("KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS", "5678:5678"), "--name", "a", "--mesh", "m",
                    "--run-envoy-as", "nobody")
                .envoy()
                .runAs())
        .isEqualTo("5678:5678");
  }

  @Test
  void somethingThatIsNoUserIsRefused() {
    assertThatThrownBy(() -> load(Map.of(), "--name", "a", "--mesh", "m", "--run-envoy-as", "5678:"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--run-envoy-as: \"5678:\" is not a user");
    assertThatThrownBy(() -> load(Map.of("KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS", "Root User"), "--name", "a", "--mesh", "m"))
        .hasMessageContaining("KUMA_DATAPLANE_RUNTIME_RUN_ENVOY_AS: \"Root User\" is not a user");
  }
}
