package io.meshlite.agent.envoy;

import io.meshlite.agent.config.AgentConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Envoy's command line, in the exact order Kuma's kuma-dp uses. */
final class EnvoyCommand {
  private EnvoyCommand() {}

  static List<String> build(Path binary, Path configPath, AgentConfig.Envoy cfg, boolean linux) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("--config-path");
    cmd.add(configPath.toString());
    cmd.add("--drain-time-s");
    cmd.add(Long.toString(cfg.drainTime().toSeconds()));
    cmd.add("--drain-strategy");
    cmd.add("immediate");
    cmd.add("--disable-hot-restart");
    cmd.add("--log-level");
    cmd.add(cfg.logLevel());
    if (!cfg.componentLogLevel().isEmpty()) {
      cmd.add("--component-log-level");
      cmd.add(cfg.componentLogLevel());
    }
    if (cfg.concurrency() > 0) {
      cmd.add("--concurrency");
      cmd.add(Integer.toString(cfg.concurrency()));
    } else if (linux) {
      cmd.add("--cpuset-threads");
    }
    return List.copyOf(cmd);
  }
}
