package io.meshlite.agent.envoy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.envoy.FakeProcesses.FakeLauncher;
import io.meshlite.agent.envoy.FakeProcesses.FakeProcess;
import io.meshlite.agent.testing.FakeTicker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoySupervisorTest {
  private static final String BOOTSTRAP =
      "admin:\n  address:\n    socket_address: {address: 127.0.0.1, port_value: 19901}\n";

  @TempDir Path workDir;
  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger refetches = new AtomicInteger();

  private static AgentConfig.Envoy cfg(boolean restart) {
    return new AgentConfig.Envoy("envoy", "info", "", 1, Duration.ofSeconds(30), null,
        new AgentConfig.Restart(restart, Duration.ofSeconds(1), Duration.ofSeconds(30)), false);
  }

  private EnvoySupervisor supervisor(boolean restart, FakeLauncher launcher, EnvoySupervisor.BootstrapSource source) {
    return new EnvoySupervisor(cfg(restart), Path.of("/opt/envoy"), workDir, launcher, source, ticker);
  }

  private EnvoySupervisor.BootstrapSource fresh() {
    return () -> ("# fetch " + refetches.incrementAndGet() + "\n" + BOOTSTRAP).getBytes(UTF_8);
  }

  private static CompletableFuture<Integer> runAsync(EnvoySupervisor s) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return s.run(BOOTSTRAP.getBytes(UTF_8));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void restartsACrashingEnvoyWithCappedExponentialBackoffAndFreshBootstrap() throws Exception {
    FakeLauncher launcher = new FakeLauncher(n -> n < 7 ? new FakeProcess(100 + n).exitWith(1) : new FakeProcess(100 + n));
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    CompletableFuture<Integer> run = runAsync(s);

    await().until(() -> s.status().pid() == 107);
    assertThat(ticker.waits()).containsExactly(
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
        Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30));
    EnvoySupervisor.Status st = s.status();
    assertThat(st.starts()).isEqualTo(8);
    assertThat(st.crashesInRow()).isEqualTo(7);
    assertThat(st.lastExitCode()).isEqualTo(1);
    assertThat(st.pid()).isEqualTo(107);
    assertThat(refetches).hasValue(7);
    assertThat(Files.readString(workDir.resolve("bootstrap.yaml"))).startsWith("# fetch 7\n");
    assertThat(Files.getPosixFilePermissions(workDir.resolve("bootstrap.yaml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(s.admin()).map(EnvoyAdmin::endpoint).contains(new AdminEndpoint.Tcp("127.0.0.1", 19901));
    assertThat(launcher.commands.get(0)).containsExactly("/opt/envoy", "--config-path",
        workDir.resolve("bootstrap.yaml").toString(), "--drain-time-s", "30", "--drain-strategy", "immediate",
        "--disable-hot-restart", "--log-level", "info", "--concurrency", "1");

    s.stop();
    assertThat(run.get()).isZero();
    assertThat(launcher.started().get(7).terminated).isTrue();
    assertThat(s.admin()).isEmpty();
  }

  @Test
  void aStableRunResetsTheBackoff() throws Exception {
    FakeLauncher launcher = new FakeLauncher(n -> switch (n) {
      case 0 -> new FakeProcess(1).exitWith(1);
      case 1 -> {
        ticker.advance(Duration.ofMinutes(2)); // ran long enough to count as stable
        yield new FakeProcess(2).exitWith(1);
      }
      default -> new FakeProcess(3);
    });
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    CompletableFuture<Integer> run = runAsync(s);
    await().until(() -> launcher.started().size() == 3);
    assertThat(ticker.waits()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
    s.stop();
    assertThat(run.get()).isZero();
  }

  @Test
  void withRestartsOffItExitsAsKuma() throws Exception {
    FakeLauncher failing = new FakeLauncher(n -> new FakeProcess(1).exitWith(1));
    assertThat(supervisor(false, failing, fresh()).run(BOOTSTRAP.getBytes(UTF_8))).isEqualTo(1);
    assertThat(failing.started()).hasSize(1);

    FakeLauncher clean = new FakeLauncher(n -> new FakeProcess(1).exitWith(0));
    assertThat(supervisor(false, clean, fresh()).run(BOOTSTRAP.getBytes(UTF_8))).isZero();
    assertThat(refetches).hasValue(0);
  }

  @Test
  void keepsThePreviousBootstrapWhenTheControlPlaneCannotAnswer() throws Exception {
    FakeLauncher launcher = new FakeLauncher(n -> n == 0 ? new FakeProcess(1).exitWith(1) : new FakeProcess(2));
    EnvoySupervisor s = supervisor(true, launcher, () -> {
      throw new IOException("connection refused");
    });
    CompletableFuture<Integer> run = runAsync(s);
    await().until(() -> launcher.started().size() == 2);
    assertThat(Files.readString(workDir.resolve("bootstrap.yaml"))).isEqualTo(BOOTSTRAP);
    s.stop();
    assertThat(run.get()).isZero();
  }

  @Test
  void aFailedLaunchCountsAsACrash() throws Exception {
    FakeLauncher launcher = new FakeLauncher(n -> n == 0 ? null : new FakeProcess(2));
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    CompletableFuture<Integer> run = runAsync(s);
    await().until(() -> launcher.started().size() == 1);
    assertThat(s.status().lastExitCode()).isEqualTo(-1);
    assertThat(ticker.waits()).containsExactly(Duration.ofSeconds(1));
    s.stop();
    assertThat(run.get()).isZero();
  }

  @Test
  void anExitThatRacesWithStopIsNotRestarted() throws Exception {
    FakeProcess p = new FakeProcess(1);
    FakeLauncher launcher = new FakeLauncher(n -> p);
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    p.beforeExitSeen = () -> {
      try {
        s.stop();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    p.exitWith(1);
    assertThat(s.run(BOOTSTRAP.getBytes(UTF_8))).isZero();
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void noRestartOnceDraining() throws Exception {
    FakeProcess p = new FakeProcess(1);
    FakeLauncher launcher = new FakeLauncher(n -> p);
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    CompletableFuture<Integer> run = runAsync(s);
    await().until(() -> s.status().pid() == 1);
    s.preventRestarts();
    p.exitWith(1);
    assertThat(run.get()).isZero();
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void stopKillsAnEnvoyThatIgnoresSigterm() throws Exception {
    FakeProcess p = new FakeProcess(1);
    p.ignoresTerm = true;
    EnvoySupervisor s = supervisor(true, new FakeLauncher(n -> p), fresh());
    CompletableFuture<Integer> run = runAsync(s);
    await().until(() -> s.status().pid() == 1);
    s.stop();
    assertThat(p.terminated).isTrue();
    assertThat(p.killed).isTrue();
    assertThat(run.get()).isZero();
  }

  @Test
  void stopBeforeRunStartsNothing() throws Exception {
    FakeLauncher launcher = new FakeLauncher(n -> new FakeProcess(1));
    EnvoySupervisor s = supervisor(true, launcher, fresh());
    s.stop();
    assertThat(s.run(BOOTSTRAP.getBytes(UTF_8))).isZero();
    assertThat(launcher.started()).isEmpty();
    assertThat(List.of(EnvoySupervisor.describe(137), EnvoySupervisor.describe(1), EnvoySupervisor.describe(-1)))
        .containsExactly("exit code 137, killed by signal 9", "exit code 1", "it could not be started");
  }
}
