package io.meshlite.iptables;

import io.meshlite.iptables.config.TransparentProxyConfig;
import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.TransparentProxy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kumactl install transparent-proxy} (and {@code kuma-init install}): redirect this
 * host's (or pod's) TCP traffic through Envoy with iptables. Needs root unless {@code --dry-run}.
 */
@Command(
    name = "transparent-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = {
      "Install the transparent proxy: iptables rules that redirect outbound TCP to Envoy on"
          + " 15001 and inbound TCP to 15006, leaving the kuma-dp user's traffic alone.",
      "Run as root (or with CAP_NET_ADMIN); --dry-run only prints the rules.",
    })
public final class InstallTransparentProxyCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @Mixin private InstallOptions options = new InstallOptions();
  private final Host host;

  public InstallTransparentProxyCommand(Host host) {
    this.host = host;
  }

  @Override
  public Integer call() {
    return Cli.run(
        spec,
        out -> {
          TransparentProxyConfig config = options.toConfig(host);
          out.print(withNewline(new TransparentProxy(host).install(config)));
          return 0;
        });
  }

  static String withNewline(String text) {
    return text.endsWith("\n") ? text : text + "\n";
  }
}
