package io.meshlite.iptables;

import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.TransparentProxy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code kuma-init} root: without a subcommand it installs, exactly like {@code kuma-init
 * install} and {@code kumactl install transparent-proxy}.
 */
@Command(
    name = "kuma-init",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = {
      "Set up Kuma's transparent proxy (iptables redirection to Envoy) on this host or pod.",
      "Without a subcommand this installs; see 'install', 'uninstall' and 'verify'.",
    })
final class KumaInitCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @Mixin private InstallOptions options = new InstallOptions();
  private final Host host;

  KumaInitCommand(Host host) {
    this.host = host;
  }

  @Override
  public Integer call() {
    return Cli.run(
        spec,
        out -> {
          out.print(
              InstallTransparentProxyCommand.withNewline(
                  new TransparentProxy(host).install(options.toConfig(host))));
          return 0;
        });
  }
}
