package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.lifecycle.OsSignals;
import io.meshlite.agent.support.Ticker;
import io.meshlite.agent.testing.EnvoyBinaries;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kuma-dp aot-train}, the training run scripts/build.sh records the AOT cache from, must
 * walk the whole startup path with the real Envoy and end cleanly; if it broke, the build would
 * quietly ship kuma-dp without its cache.
 */
class AotTrainingIT {
  @Test
  void theTrainingRunReachesReadyAndStopsCleanly() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AgentEnvironment host = new AgentEnvironment(Map.of(), new ByteArrayInputStream(new byte[0]), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8), OsProcessLauncher.inheritingOutput(), new OsSignals(),
        Ticker.system(), Path.of("."), null, Path.of("/sys/fs/cgroup"), code -> {});
    int code = new AgentMain(host).execute("aot-train", "--binary-path", EnvoyBinaries.require().toString());
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
