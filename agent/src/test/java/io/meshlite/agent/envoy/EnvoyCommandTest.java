package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.config.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EnvoyCommandTest {
  private static final AgentConfig.Restart RESTART = new AgentConfig.Restart(true, Duration.ofSeconds(1), Duration.ofSeconds(30));

  @Test
  void kumasOrderWithCpusetThreadsByDefault() {
    AgentConfig.Envoy cfg = new AgentConfig.Envoy("envoy", "info", "", 0, Duration.ofSeconds(30), null, RESTART, false);
    assertThat(EnvoyCommand.build(Path.of("/bin/envoy"), Path.of("/w/bootstrap.yaml"), cfg, true)).containsExactly(
        "/bin/envoy", "--config-path", "/w/bootstrap.yaml", "--drain-time-s", "30", "--drain-strategy", "immediate",
        "--disable-hot-restart", "--log-level", "info", "--cpuset-threads");
  }

  @Test
  void concurrencyAndComponentLevels() {
    AgentConfig.Envoy cfg =
        new AgentConfig.Envoy("envoy", "debug", "upstream:trace", 2, Duration.ofMillis(1500), null, RESTART, false);
    assertThat(EnvoyCommand.build(Path.of("envoy"), Path.of("b.yaml"), cfg, true)).containsExactly(
        "envoy", "--config-path", "b.yaml", "--drain-time-s", "1", "--drain-strategy", "immediate",
        "--disable-hot-restart", "--log-level", "debug", "--component-log-level", "upstream:trace",
        "--concurrency", "2");
    AgentConfig.Envoy zero = new AgentConfig.Envoy("envoy", "info", "", 0, Duration.ofSeconds(1), null, RESTART, false);
    assertThat(EnvoyCommand.build(Path.of("envoy"), Path.of("b.yaml"), zero, false)).doesNotContain("--cpuset-threads");
  }
}
