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
    // The parent-death signal fires when the starting thread ends: stands in for kuma-dp dying. The
    // thread waits until the wrappers have exec'd into sleep, i.e. setpriv has set the signal.
    Thread parent = Thread.ofPlatform().start(() -> {
      try {
        RunningProcess p = launcher.start(List.of("/bin/sleep", "60"));
        started.set(p);
        await().atMost(Duration.ofSeconds(10)).until(() -> isSleep(p.pid()));
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

  private static boolean isSleep(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("").endsWith("sleep");
  }

  @Test
  void aLongLivedParentKeepsItsChildAndThePidIsTheChildsOwn() throws Exception {
    RunningProcess p = launcher.start(List.of("/bin/sleep", "60"));
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> isSleep(p.pid()));
      assertThat(p.isAlive()).isTrue();
    } finally {
      p.kill();
      p.waitFor();
    }
  }
}
