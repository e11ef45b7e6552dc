package io.meshlite.agent;

import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.config.ConfigException;
import io.meshlite.agent.config.ConfigLoader;
import io.meshlite.agent.config.LogOptions;
import io.meshlite.agent.config.RunOptions;
import io.meshlite.api.Versions;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code kuma-dp}: the entry point. Parses Kuma's command line ({@code run}, {@code version}) and
 * wires the agent by constructor from an {@link AgentEnvironment}. Problems end the process with
 * one line on stderr and exit code 1.
 */
@Command(
    name = "kuma-dp",
    description = "Dataplane manager for Envoy-based Service Mesh",
    mixinStandardHelpOptions = true,
    versionProvider = AgentMain.VersionProvider.class,
    subcommands = {RunOptions.class, AgentMain.VersionCommand.class, AgentMain.AotTrainCommand.class})
public final class AgentMain {
  @Mixin LogOptions logOptions = new LogOptions();

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
    CommandLine cl = new CommandLine(this);
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
          prepared[0] = ControlPlaneTransport.forControlPlane(cp);
          prepared[0].prepare(cp.address());
        } catch (IllegalArgumentException e) {
          prepared[0] = null;
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
  @Command(name = "version", description = "Print version", mixinStandardHelpOptions = true)
  static final class VersionCommand {
    @Option(names = {"-a", "--detailed"}, description = "Print detailed version")
    boolean detailed;
  }

  /** {@code kuma-dp aot-train}: the JDK AOT cache's training run (scripts/build.sh); not for users. */
  @Command(name = "aot-train", hidden = true, description = "Training run for the JDK AOT cache (used by the build)")
  static final class AotTrainCommand {
    @Option(names = "--binary-path", required = true, description = "Envoy binary")
    String binaryPath;
  }

  /** {@code kuma-dp --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Versions.VERSION};
    }
  }
}
