package io.meshlite.agent.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.testing.FakeTicker;
import io.meshlite.agent.testing.RecordingLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --run-envoy-as}: who Envoy runs as, and the command line that gets it there. */
class EnvoyUserTest {
  @TempDir Path tmp;

  private EnvoyUser.Host host(int kumaDpUid, boolean setprivInstalled) throws Exception {
    Path passwd =
        Files.writeString(
            tmp.resolve("passwd"),
            """
            root:x:0:0:root:/root:/bin/bash
            # a comment
            kuma-dp:x:5678:5679:Kuma DP:/nonexistent:/usr/sbin/nologin
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            """);
    Path status = Files.writeString(tmp.resolve("status"), "Name:\tjava\nUid:\t" + kumaDpUid + "\t" + kumaDpUid + "\t0\t0\n");
    Path setpriv = tmp.resolve("setpriv");
    Files.deleteIfExists(setpriv);
    if (setprivInstalled) {
      Files.writeString(setpriv, "#!/bin/sh\n");
      Files.setPosixFilePermissions(setpriv, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return new EnvoyUser.Host(passwd, status, List.of(tmp.resolve("missing"), setpriv));
  }

  @Test
  void aUserNameResolvesThroughPasswdAndKeepsItsGroups() throws Exception {
    EnvoyUser u = EnvoyUser.plan("kuma-dp", host(0, true)).orElseThrow();

    assertThat(u).isEqualTo(new EnvoyUser(5678, 5679, "kuma-dp", tmp.resolve("setpriv")));
    assertThat(u.commandPrefix())
        .containsExactly(tmp.resolve("setpriv").toString(), "--reuid=5678", "--regid=5679", "--init-groups", "--pdeathsig=KILL", "--");
  }

  @Test
  void numericUidsWorkWithAndWithoutAPasswdEntry() throws Exception {
    assertThat(EnvoyUser.plan("65534", host(0, true)).orElseThrow())
        .isEqualTo(new EnvoyUser(65534, 65534, "nobody", tmp.resolve("setpriv")));
    EnvoyUser anonymous = EnvoyUser.plan("5690:5691", host(0, true)).orElseThrow();
    assertThat(anonymous.commandPrefix()).containsSubsequence("--reuid=5690", "--regid=5691", "--clear-groups", "--pdeathsig=KILL", "--");
    assertThat(EnvoyUser.plan("5690", host(0, true)).orElseThrow().gid()).isEqualTo(5690);
  }

  @Test
  void nothingChangesWithoutTheFlagOrWhenKumaDpAlreadyRunsAsTheUser() throws Exception {
    assertThat(EnvoyUser.plan("", host(0, true))).isEmpty();
    assertThat(EnvoyUser.plan("kuma-dp", host(5678, false))).isEmpty();
  }

  @Test
  void problemsSayWhatToDo() throws Exception {
    assertThatThrownBy(() -> EnvoyUser.plan("kuma-dp", host(1000, true)))
        .hasMessageContaining("needs kuma-dp to run as root (it runs as uid 1000)")
        .hasMessageContaining("runuser -u kuma-dp -- kuma-dp run");
    assertThatThrownBy(() -> EnvoyUser.plan("nosuchuser", host(0, true)))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("useradd --system --uid 5678");
    assertThatThrownBy(() -> EnvoyUser.plan("kuma-dp", host(0, false))).hasMessageContaining("setpriv (util-linux)");
  }

  @Test
  void envoysCommandLineStartsWithSetprivAndTheBootstrapIsHandedOver() throws Exception {
    EnvoyUser self = new EnvoyUser(currentUid(), currentGid(), "", tmp.resolve("setpriv"));
    AgentConfig.Envoy cfg =
        new AgentConfig.Envoy(
            "envoy", "info", "", 1, Duration.ofSeconds(30), null,
            new AgentConfig.Restart(false, Duration.ofSeconds(1), Duration.ofSeconds(30)), false, "whoever");
    RecordingLauncher launcher = new RecordingLauncher(OsProcessLauncher.inheritingOutput());
    EnvoySupervisor sup =
        new EnvoySupervisor(cfg, Path.of("/opt/envoy"), tmp, launcher, () -> new byte[0], new FakeTicker(), Optional.of(self));

    assertThat(sup.command())
        .containsExactly(
            tmp.resolve("setpriv").toString(), "--reuid=" + self.uid(), "--regid=" + self.gid(), "--clear-groups", "--pdeathsig=KILL", "--",
            "/opt/envoy", "--config-path", tmp.resolve("bootstrap.yaml").toString(), "--drain-time-s", "30",
            "--drain-strategy", "immediate", "--disable-hot-restart", "--log-level", "info", "--concurrency", "1");
    assertThat(new EnvoySupervisor(cfg, Path.of("/opt/envoy"), tmp, launcher, () -> new byte[0], new FakeTicker()).command())
        .first()
        .isEqualTo("/opt/envoy");
  }

  @Test
  void anExistingWorkDirMustBeWritableByTheUser() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("work"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    EnvoyUser other = new EnvoyUser(currentUid() + 12345, 1, "", tmp.resolve("setpriv"));

    assertThatThrownBy(() -> other.prepareWorkDir(dir, false))
        .hasMessageContaining("is not writable by uid " + (currentUid() + 12345));

    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    other.prepareWorkDir(dir, false);
    new EnvoyUser(currentUid(), currentGid(), "", tmp.resolve("setpriv")).prepareWorkDir(dir, true);
  }

  private int currentUid() throws Exception {
    return (Integer) Files.getAttribute(tmp, "unix:uid");
  }

  private int currentGid() throws Exception {
    return (Integer) Files.getAttribute(tmp, "unix:gid");
  }
}
