package io.meshlite.iptables;

import io.meshlite.iptables.system.Host;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Public entry points. kumactl mounts the same command classes kuma-init uses:
 *
 * <pre>{@code
 * // kumactl install transparent-proxy
 * installCommandLine.addSubcommand(TransparentProxyCommands.install());
 * // kumactl uninstall transparent-proxy
 * uninstallCommandLine.addSubcommand(TransparentProxyCommands.uninstall());
 * }</pre>
 *
 * Each command prints failures itself as one line ({@code <root command name>: what is wrong and
 * what to do}) and returns exit code 1, so it needs no exception handler from its parent. Parse
 * errors (unknown flags) are handled by the root {@link CommandLine}; {@link
 * #oneLineParameterErrors} installs a handler that keeps them to one line too.
 */
public final class TransparentProxyCommands {
  private TransparentProxyCommands() {}

  /** {@code transparent-proxy} install command on the real host. */
  public static CommandLine install() {
    return install(Host.system());
  }

  /** {@code transparent-proxy} install command on {@code host}. */
  public static CommandLine install(Host host) {
    return new CommandLine(new InstallTransparentProxyCommand(host));
  }

  /** {@code transparent-proxy} uninstall command on the real host. */
  public static CommandLine uninstall() {
    return uninstall(Host.system());
  }

  /** {@code transparent-proxy} uninstall command on {@code host}. */
  public static CommandLine uninstall(Host host) {
    return new CommandLine(new UninstallTransparentProxyCommand(host));
  }

  /** {@code verify} command on {@code host}. */
  public static CommandLine verify(Host host) {
    return new CommandLine(new VerifyTransparentProxyCommand(host));
  }

  /** The complete {@code kuma-init} command line: install (default), uninstall, verify. */
  public static CommandLine kumaInit(Host host) {
    CommandLine root = new CommandLine(new KumaInitCommand(host));
    root.addSubcommand("install", new CommandLine(new InstallTransparentProxyCommand(host)));
    root.addSubcommand("uninstall", new CommandLine(new UninstallTransparentProxyCommand(host)));
    root.addSubcommand("verify", new CommandLine(new VerifyTransparentProxyCommand(host)));
    return oneLineParameterErrors(root);
  }

  /** Runs kuma-init with {@code args}; returns the exit code. */
  public static int run(Host host, PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = kumaInit(host);
    commandLine.setOut(out);
    commandLine.setErr(err);
    return commandLine.execute(args);
  }

  /** Makes {@code root} report bad flags as one line ({@code name: message (see --help)}). */
  public static CommandLine oneLineParameterErrors(CommandLine root) {
    root.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          String name = ex.getCommandLine().getCommandSpec().root().name();
          err.println(
              name
                  + ": "
                  + Cli.oneLine(ex.getMessage())
                  + " (see '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help')");
          err.flush();
          return CommandLine.ExitCode.USAGE;
        });
    return root;
  }
}
