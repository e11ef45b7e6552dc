package io.meshlite.iptables;

import io.meshlite.iptables.system.Host;
import io.meshlite.iptables.system.TransparentProxy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kuma-init verify}: one line saying whether the rules the given flags describe are in
 * place; exit 0 if they are, 1 if not. Takes the install flags so it checks the same layout.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = {
      "Check that the transparent proxy rules are installed (exit 0) or not (exit 1).",
      "Pass the same flags or --config as for install.",
    })
public final class VerifyTransparentProxyCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @Mixin private InstallOptions options = new InstallOptions();
  private final Host host;

  public VerifyTransparentProxyCommand(Host host) {
    this.host = host;
  }

  @Override
  public Integer call() {
    return Cli.run(
        spec,
        out -> {
          TransparentProxy.Verification result =
              new TransparentProxy(host).verify(options.toConfig(host));
          out.println(result.message());
          return result.installed() ? 0 : Cli.FAILED;
        });
  }
}
