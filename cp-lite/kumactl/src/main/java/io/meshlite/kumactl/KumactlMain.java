package io.meshlite.kumactl;

import io.meshlite.kumactl.client.ApiUnreachableException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import io.meshlite.iptables.TransparentProxyCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code kumactl}. Builds the command tree and maps every failure to exit code 1
 * with one {@code Error: ...} line on stderr (a stack trace only with {@code --log-level debug}).
 */
public final class KumactlMain {
  private KumactlMain() {}

  /** Runs kumactl as a process. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err, Env.system()));
  }

  /**
   * Runs kumactl in-process.
   *
   * @param args the command line without the program name
   * @param out standard output
   * @param err standard error
   * @param env stdin, clock and default configuration file
   * @return the exit code: 0 on success, 1 on any failure
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Env env) {
    try (RootCommand root = new RootCommand(env, out, err)) {
      CommandLine cl = commandLine(root);
      int code = cl.execute(args);
      cl.getOut().flush();
      cl.getErr().flush();
      out.flush();
      err.flush();
      return code;
    }
  }

  /** The whole command tree. Add a top-level command with one {@code addSubcommand} line here. */
  static CommandLine commandLine(RootCommand root) {
    CommandLine cl = new CommandLine(root);
    cl.addSubcommand("apply", new ApplyCommand(root));
    cl.addSubcommand("get", new GetCommand(root));
    cl.addSubcommand("delete", new DeleteCommand(root));
    cl.addSubcommand(
        "inspect",
        group(
            "inspect",
            "Inspect Kuma resources.",
            new InspectCommand.Dataplanes(root),
            new InspectCommand.Meshes(root)));
    cl.addSubcommand("config", ConfigCommand.tree(root));
    cl.addSubcommand("generate", GenerateCommand.tree(root));
    cl.addSubcommand("version", new VersionCommand(root));
    // The same command classes as kuma-init, so both tools install identical rules.
    cl.addSubcommand(
        "install",
        group(
            "install",
            "Install various Kuma components.",
            inheritHelp(TransparentProxyCommands.install()),
            new InstallControlPlaneCommand(root)));
    cl.addSubcommand(
        "uninstall",
        group("uninstall", "Uninstall various Kuma components.", inheritHelp(TransparentProxyCommands.uninstall())));
    cl.setOut(new PrintWriter(root.out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(root.err, true, StandardCharsets.UTF_8));
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          root.err.println("Error: " + describe(ex));
          if (root.debugging()) {
            ex.printStackTrace(root.err);
          }
          return 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          root.err.println("Error: " + describe(ex) + " (see \"" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help\")");
          return 1;
        });
    return cl;
  }

  /**
   * Drops a mounted command's own {@code -h}/{@code -V} so it takes kumactl's inherited help flag
   * instead (picocli refuses two options with one name).
   */
  static CommandLine inheritHelp(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    for (String name : new String[] {"-h", "-V"}) {
      CommandLine.Model.OptionSpec o = spec.findOption(name);
      if (o != null) {
        spec.remove(o);
      }
    }
    return cl;
  }

  /**
   * A parent command that only groups subcommands (such as {@code inspect} or {@code install});
   * run alone it prints its usage. Each subcommand is a picocli command object or a {@link
   * CommandLine}.
   */
  public static CommandLine group(String name, String description, Object... subcommands) {
    CommandLine g = new CommandLine(new Group());
    g.getCommandSpec().name(name);
    g.getCommandSpec().usageMessage().description(description);
    for (Object s : subcommands) {
      g.addSubcommand(s);
    }
    return g;
  }

  /** The one-line text for a command line that could not be parsed. */
  static String describe(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      String cmd = u.getCommandLine().getCommandSpec().qualifiedName();
      String hint = u.getSuggestions().isEmpty() ? "" : "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
      if (arg.startsWith("-")) {
        return "unknown flag \"" + arg + "\" for \"" + cmd + "\"" + hint;
      }
      if (!u.getCommandLine().getSubcommands().isEmpty()) {
        return "unknown command \"" + arg + "\" for \"" + cmd + "\"" + hint;
      }
      return "unexpected argument \"" + arg + "\" for \"" + cmd + "\"";
    }
    return oneLine(ex.getMessage());
  }

  /** The one-line text printed after {@code Error: } for a failure. */
  static String describe(Throwable ex) {
    if (ex instanceof CliException || ex instanceof ApiUnreachableException) {
      return oneLine(ex.getMessage());
    }
    if (ex instanceof UncheckedIOException || ex instanceof IllegalArgumentException) {
      return oneLine(String.valueOf(ex.getMessage()));
    }
    String msg = ex.getMessage();
    return oneLine(ex.getClass().getSimpleName() + (msg == null ? "" : ": " + msg))
        + " (rerun with --log-level debug for details)";
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** A command that has only subcommands. */
  @Command
  static final class Group implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
  }
}
