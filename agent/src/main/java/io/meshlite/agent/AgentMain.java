package io.meshlite.agent;

import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.config.ConfigException;
import io.meshlite.agent.config.ConfigLoader;
import io.meshlite.agent.config.Flags;
import io.meshlite.agent.config.LogOptions;
import io.meshlite.agent.config.RunOptions;
import io.meshlite.api.Versions;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code kuma-dp}: the entry point. Parses Kuma's command line ({@code run}, {@code version}) and
 * wires the agent by constructor from an {@link AgentEnvironment}. Problems end the process with
 * one line on stderr and exit code 1.
 */
public final class AgentMain {
  private final LogOptions logOptions = new LogOptions();

  private final AgentEnvironment host;

  public AgentMain(AgentEnvironment host) {
    this.host = host;
  }

  public static void main(String[] args) {
    configureLogging(args);
    System.exit(new AgentMain(AgentEnvironment.system()).execute(args));
  }

  /** Parses {@code args} and runs the command; returns the exit code. */
  public int execute(String... args) {
    CommandLine cl = new CommandLine(commandSpec());
    cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    PrintWriter out = new PrintWriter(host.out(), true);
    cl.setOut(out);
    cl.setErr(new PrintWriter(host.err(), true));
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (ParameterException e) {
      String cmd = e.getCommandLine().getCommandSpec().qualifiedName();
      host.err().println("Error: " + e.getMessage().replaceAll("\\s+", " ").strip() + " (see " + cmd + " --help)");
      return 1;
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return 0;
    }
    ParseResult sub = parsed.subcommand();
    if (sub == null) {
      cl.usage(out);
      return 0;
    }
    Object command = sub.commandSpec().userObject();
    if (command instanceof VersionCommand v) {
      host.out().println(v.detailed
          ? "Product: kuma-dp (meshlite)\nVersion: " + Versions.VERSION + "\nKuma compatibility: " + Versions.KUMA_COMPAT
              + "\nEnvoy: " + Versions.ENVOY
          : Versions.VERSION);
      return 0;
    }
    if (command instanceof AotTrainCommand train) {
      try {
        return new AotTraining(java.nio.file.Path.of(train.binaryPath), host.err()).run();
      } catch (java.io.IOException | RuntimeException e) {
        host.err().println("Error: AOT training run failed: " + e);
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    AgentConfig cfg;
    ControlPlaneTransport[] prepared = {null};
    try {
      cfg = ConfigLoader.load((RunOptions) command, logOptions, host.env(), host.stdin(), cp -> {
        // The handshake with the control plane is the longest step before the bootstrap request:
        // start it now, while the rest of the configuration is read. A CA that cannot be used is
        // reported by the agent itself, as before.
        try {
          ControlPlaneTransport t = ControlPlaneTransport.forControlPlane(cp);
          t.prepare(cp.address());
          prepared[0] = t;
        } catch (IllegalArgumentException e) {
          // the CA does not parse: Agent makes the transport again and reports it
        }
      });
    } catch (ConfigException e) {
      if (prepared[0] != null) {
        prepared[0].close();
      }
      host.err().println("Error: " + e.getMessage());
      return 1;
    }
    return new Agent(cfg, host, prepared[0]).run();
  }

  /** {@code kuma-dp}'s command model: the root with its log flags, {@code run}, {@code version}, {@code aot-train}. */
  private CommandSpec commandSpec() {
    CommandSpec root = Flags.withHelpOptions(CommandSpec.wrapWithoutInspection(this).name("kuma-dp"))
        .versionProvider(() -> new String[] {Versions.VERSION});
    root.usageMessage().description("Dataplane manager for Envoy-based Service Mesh");
    logOptions.addTo(root); // before the subcommands, which inherit them
    root.addSubcommand("run", RunOptions.spec(new RunOptions()));

    VersionCommand version = new VersionCommand();
    CommandSpec v = Flags.withHelpOptions(CommandSpec.wrapWithoutInspection(version).name("version"));
    v.usageMessage().description("Print version");
    v.addOption(Flags.option(Boolean.class, () -> version.detailed, d -> version.detailed = d, "<detailed>",
        "Print detailed version", "-a", "--detailed").arity("0").build());
    root.addSubcommand("version", v);

    AotTrainCommand train = new AotTrainCommand();
    CommandSpec t = CommandSpec.wrapWithoutInspection(train).name("aot-train");
    t.usageMessage().hidden(true).description("Training run for the JDK AOT cache (used by the build)");
    t.addOption(Flags.option(String.class, () -> train.binaryPath, b -> train.binaryPath = b, "<binaryPath>",
        "Envoy binary", "--binary-path").required(true).build());
    root.addSubcommand("aot-train", t);
    return root;
  }

  /**
   * Sets slf4j-simple's level and output from {@code --log-level} and {@code --log-output-path}
   * before the first logger exists (system properties are the only way to configure it). Explicit
   * {@code -D} settings win.
   */
  static void configureLogging(String[] args) {
    String level = "info";
    String file = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--log-level") && i + 1 < args.length) {
        level = args[++i];
      } else if (a.startsWith("--log-level=")) {
        level = a.substring("--log-level=".length());
      } else if (a.equals("--log-output-path") && i + 1 < args.length) {
        file = args[++i];
      } else if (a.startsWith("--log-output-path=")) {
        file = a.substring("--log-output-path=".length());
      }
    }
    String slf4jLevel = switch (level.toLowerCase(Locale.ROOT)) {
      case "off" -> "off";
      case "error" -> "error";
      case "debug" -> "debug";
      default -> "info";
    };
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", slf4jLevel);
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    if (file != null && !file.isEmpty()) {
      setDefault("org.slf4j.simpleLogger.logFile", file);
    }
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** {@code kuma-dp version}. */
  static final class VersionCommand {
    Boolean detailed = false;
  }

  /** {@code kuma-dp aot-train}: the JDK AOT cache's training run (scripts/build.sh); not for users. */
  static final class AotTrainCommand {
    String binaryPath;
  }
}
