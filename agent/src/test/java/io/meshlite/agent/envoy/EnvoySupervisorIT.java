package io.meshlite.agent.envoy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.support.Ticker;
import io.meshlite.agent.testing.RecordingLauncher;
import io.meshlite.agent.testing.Scripts;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervision of real processes: stand-in shell scripts play Envoy (supervision logic only). */
class EnvoySupervisorIT {
  private static final byte[] BOOTSTRAP = "node: {id: default.dp-1}\n".getBytes(UTF_8);

  @TempDir Path tmp;
  private RecordingLauncher launcher;
  private final AtomicInteger fetches = new AtomicInteger();

  @AfterEach
  void killEverything() {
    if (launcher != null) {
      launcher.killAll();
    }
  }

  private EnvoySupervisor supervisor(String scriptBody, boolean restart) throws Exception {
    Path binDir = Files.createDirectories(tmp.resolve("bin"));
    Path envoy = Scripts.fakeEnvoy(binDir, "1.39.3", scriptBody);
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path log = tmp.resolve("envoy.log");
    launcher = new RecordingLauncher(new OsProcessLauncher(Redirect.appendTo(log.toFile()), Redirect.appendTo(log.toFile())));
    AgentConfig.Envoy cfg = new AgentConfig.Envoy("envoy", "info", "", 1, Duration.ofSeconds(1), null,
        new AgentConfig.Restart(restart, Duration.ofMillis(10), Duration.ofMillis(40)), false);
    return new EnvoySupervisor(cfg, envoy, work, launcher, () -> {
      fetches.incrementAndGet();
      return BOOTSTRAP;
    }, Ticker.system());
  }

  private static CompletableFuture<Integer> runAsync(EnvoySupervisor s) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return s.run(BOOTSTRAP);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void anEnvoyThatExitsAtOnceIsRestartedWithBackoffAndTheCrashLoopIsCounted() throws Exception {
    EnvoySupervisor s = supervisor("echo \"started with $*\"\nexit 1", true);
    CompletableFuture<Integer> run = runAsync(s);
    await().atMost(Duration.ofSeconds(30)).until(() -> s.status().starts() >= 5);
    EnvoySupervisor.Status st = s.status();
    assertThat(st.crashesInRow()).isGreaterThanOrEqualTo(4);
    assertThat(st.lastExitCode()).isEqualTo(1);
    assertThat(fetches.get()).isGreaterThanOrEqualTo(4);
    assertThat(Files.readString(tmp.resolve("envoy.log")))
        .contains("started with --config-path " + tmp.resolve("work/bootstrap.yaml") + " --drain-time-s 1");
    s.stop();
    assertThat(run.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void withRestartsOffTheAgentExitsNonZero() throws Exception {
    EnvoySupervisor s = supervisor("exit 3", false);
    assertThat(s.run(BOOTSTRAP)).isEqualTo(1);
    assertThat(s.status().starts()).isEqualTo(1);
    assertThat(s.status().lastExitCode()).isEqualTo(3);
  }

  @Test
  void aKilledEnvoyIsRestartedAndStopTerminatesIt() throws Exception {
    EnvoySupervisor s = supervisor("trap 'echo got TERM; exit 0' TERM\nwhile :; do sleep 0.1; done", true);
    CompletableFuture<Integer> run = runAsync(s);
    await().atMost(Duration.ofSeconds(10)).until(() -> s.status().pid() > 0);
    long first = s.status().pid();
    ProcessHandle.of(first).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(Duration.ofSeconds(10)).until(() -> s.status().pid() > 0 && s.status().pid() != first);
    assertThat(s.status().lastExitCode()).isEqualTo(137);

    long second = s.status().pid();
    s.stop();
    assertThat(run.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Files.readString(tmp.resolve("envoy.log"))).contains("got TERM");
  }
}
