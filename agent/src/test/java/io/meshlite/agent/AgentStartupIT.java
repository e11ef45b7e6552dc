package io.meshlite.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.envoy.OsProcessLauncher;
import io.meshlite.agent.support.Ticker;
import io.meshlite.agent.testing.FakeControlPlane.Answer;
import io.meshlite.agent.testing.FakeControlPlane;
import io.meshlite.agent.testing.RecordingLauncher;
import io.meshlite.agent.testing.Scripts;
import io.meshlite.agent.testing.TestSignals;
import io.meshlite.api.testing.Ports;
import java.io.ByteArrayInputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stop requested while kuma-dp still waits for its Dataplane ends the run cleanly. */
class AgentStartupIT {
  @TempDir Path tmp;

  @Test
  void aSignalWhileWaitingForTheDataplaneExitsZeroWithoutStartingEnvoy() throws Exception {
    Path envoy = Scripts.fakeEnvoy(tmp, "1.39.3", "sleep 60");
    TestSignals signals = new TestSignals();
    RecordingLauncher launcher = new RecordingLauncher(new OsProcessLauncher(Redirect.DISCARD, Redirect.DISCARD));
    try (FakeControlPlane cp = new FakeControlPlane(Answer.notFound())) {
      AgentEnvironment host = new AgentEnvironment(Map.of(), new ByteArrayInputStream(new byte[0]), System.out, System.err,
          launcher, signals, Ticker.system(), tmp, null, tmp, code -> {});
      String[] args = {"run", "--name", "dp-1", "--mesh", "default", "--cp-address", cp.address(),
        "--binary-path", envoy.toString(), "--readiness-port", Integer.toString(Ports.free()), "--dns-proxy-port", Integer.toString(Ports.free())};
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new AgentMain(host).execute(args));
      await().atMost(Duration.ofSeconds(30)).until(() -> !cp.requests().isEmpty());
      signals.send("TERM");
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
      assertThat(launcher.started()).isEmpty();
    } finally {
      launcher.killAll();
    }
  }
}
