package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Real processes through the wrappers kuma-dp puts in front of Envoy (setpriv, setsid). */
class OsProcessLauncherIT {
  private final OsProcessLauncher launcher = new OsProcessLauncher(Redirect.DISCARD, Redirect.DISCARD);

  @Test
  void theWrappersExecInPlaceAndTheChildDiesWithItsParent() throws Exception {
    assertThat(launcher.killsChildrenOnDeath())
        .as("setpriv (util-linux) must be installed for the parent-death signal")
        .isTrue();
    AtomicReference<RunningProcess> started = new AtomicReference<>();
    // The parent-death signal fires when the starting thread ends: stands in for kuma-dp dying.
    Thread parent = Thread.ofPlatform().start(() -> {
      try {
        started.set(launcher.start(List.of("/bin/sleep", "60")));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    parent.join();
    RunningProcess p = started.get();
    try {
      await("child killed after its parent thread ended")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !p.isAlive());
      assertThat(p.waitFor()).isEqualTo(128 + 9);
    } finally {
      p.kill();
    }
  }

  @Test
  void aLongLivedParentKeepsItsChildAndThePidIsTheChildsOwn() throws Exception {
    RunningProcess p = launcher.start(List.of("/bin/sleep", "60"));
    try {
      await().atMost(Duration.ofSeconds(5)).until(() ->
          ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()).orElse("").endsWith("sleep"));
      assertThat(p.isAlive()).isTrue();
    } finally {
      p.kill();
      p.waitFor();
    }
  }
}
