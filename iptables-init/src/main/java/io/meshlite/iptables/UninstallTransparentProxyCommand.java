package io.meshlite.iptables;

import io.meshlite.iptables.config.ConfigKey;
import io.meshlite.iptables.config.ConfigLayer;
import io.meshlite.iptables.config.ConfigLoader;
import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.TransparentProxy;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kumactl uninstall transparent-proxy} (and {@code kuma-init uninstall}): removes only our
 * chains and rules (those named {@code KUMA_MESH*} or commented {@code
 * kuma/mesh/transparent/proxy/}) from iptables and ip6tables.
 */
@Command(
    name = "transparent-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = {
      "Uninstall the transparent proxy: remove kuma-init's chains and rules, keep all others.",
    })
public final class UninstallTransparentProxyCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--dry-run",
      description = "print the rules that would remain instead of changing anything")
  private boolean dryRun;

  @Option(names = "--verbose", description = "accepted for compatibility with kumactl")
  private boolean verbose;

  @Option(
      names = "--iptables-executables",
      paramLabel = "NAME:PATH,...",
      description = "paths of iptables-save, iptables-restore, ... (see install)")
  private String iptablesExecutables;

  private final Host host;

  public UninstallTransparentProxyCommand(Host host) {
    this.host = host;
  }

  @Override
  public Integer call() {
    return Cli.run(
        spec,
        out -> {
          ConfigLayer flags = new ConfigLayer("flags");
          if (iptablesExecutables != null) {
            flags.set(
                ConfigKey.IPTABLES_EXECUTABLES, iptablesExecutables, "--iptables-executables");
          }
          var config = ConfigLoader.load(List.of(flags));
          String result = new TransparentProxy(host).uninstall(dryRun, config.executables());
          out.print(InstallTransparentProxyCommand.withNewline(result));
          return 0;
        });
  }
}
