package io.meshlite.kumactl;

import io.meshlite.api.time.GoDuration;
import io.meshlite.kumactl.client.ApiClient;
import io.meshlite.kumactl.client.TlsSettings;
import io.meshlite.kumactl.config.ConfigFiles;
import io.meshlite.kumactl.config.KumactlConfig;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code kumactl} root: Kuma's global flags (inherited by every subcommand, so they may appear
 * anywhere on the line) and what subcommands share: the output streams, the environment, the
 * configuration and one API client per run.
 */
@Command(
    name = "kumactl",
    description = "Management tool for Kuma.",
    synopsisSubcommandLabel = "COMMAND")
final class RootCommand implements Callable<Integer>, AutoCloseable {

  @Option(
      names = "--config-file",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "path to the configuration file to use (default ~/.kumactl/config)")
  Path configFile;

  @Option(
      names = "--api-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "the timeout for api calls, including connection time and reading the response body; 0 means no timeout (default 1m0s)")
  Duration apiTimeout = Duration.ofMinutes(1);

  @Option(
      names = "--log-level",
      scope = ScopeType.INHERIT,
      paramLabel = "LEVEL",
      converter = LogLevelConverter.class,
      description = "log level: one of off|info|debug (default \"off\")")
  String logLevel = "off";

  @Option(
      names = "--no-config",
      scope = ScopeType.INHERIT,
      description = "if set no config file and config directory will be read or created")
  boolean noConfig;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "help for this command")
  boolean help;

  @Spec CommandSpec spec;

  final Env env;
  final PrintStream out;
  final PrintStream err;
  private KumactlConfig config;
  private ApiClient api;

  RootCommand(Env env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out);
    return 0;
  }

  /** The configuration file in use. */
  Path configPath() {
    return configFile != null ? configFile : env.defaultConfigFile();
  }

  /**
   * The configuration to read the current control plane from: the file, or Kuma's default ({@code
   * local} at http://localhost:5681) when the default file does not exist.
   */
  KumactlConfig config() {
    if (config == null) {
      if (configFile != null && !noConfig && !Files.exists(configFile)) {
        throw new CliException(
            "configuration file \"" + configFile + "\" does not exist (check --config-file)");
      }
      config = loadOrDefaults();
    }
    return config;
  }

  /** The configuration to change: like {@link #config()}, but a missing file starts from the defaults. */
  KumactlConfig configForUpdate() {
    if (noConfig) {
      throw new CliException("the configuration cannot be changed with --no-config");
    }
    if (config == null) {
      config = loadOrDefaults();
    }
    return config;
  }

  /** Writes the configuration file atomically. */
  void saveConfig(KumactlConfig cfg) {
    try {
      ConfigFiles.write(configPath(), cfg);
    } catch (UncheckedIOException e) {
      throw new CliException(e.getMessage(), e);
    }
    config = cfg;
  }

  private KumactlConfig loadOrDefaults() {
    Path p = configPath();
    if (noConfig || !Files.exists(p)) {
      return KumactlConfig.defaults();
    }
    try {
      return ConfigFiles.read(p);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  /** The client of the current context's control plane (created once per run). */
  ApiClient api() {
    if (api == null) {
      KumactlConfig cfg = config();
      KumactlConfig.ControlPlane cp =
          cfg.current()
              .orElseThrow(
                  () ->
                      new CliException(
                          "there is no active Control Plane in "
                              + configPath()
                              + " (use `kumactl config control-planes add` to add one and make it active)"));
      if (cp.url().isEmpty()) {
        throw new CliException(
            "Control Plane \"" + cp.name() + "\" has no address in " + configPath()
                + " (re-add it with `kumactl config control-planes add --overwrite`)");
      }
      api = client(cp.url(), KumactlConfig.headers(cp), cp.apiServer());
    }
    return api;
  }

  /** A client for an arbitrary address (used to check an address before saving it). */
  ApiClient client(String url, Map<String, String> headers) {
    return new ApiClient(url, apiTimeout, headers, this::debug);
  }

  /**
   * A client for an address with the TLS settings of a control plane's {@code apiServer} config
   * ({@code caCertFile}, {@code clientCertFile}, {@code clientKeyFile}).
   */
  ApiClient client(String url, Map<String, String> headers, com.fasterxml.jackson.databind.JsonNode apiServer) {
    try {
      return new ApiClient(url, apiTimeout, headers, this::debug, TlsSettings.from(apiServer));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  /** The time ages are measured at. */
  Instant now() {
    return env.clock().instant();
  }

  /** The zone dates are printed in. */
  ZoneId zone() {
    return env.clock().getZone();
  }

  /** Prints a diagnostic line on stderr when {@code --log-level debug} (or info) is set. */
  void debug(String line) {
    if (!logLevel.equals("off")) {
      err.println("DEBUG " + line);
    }
  }

  boolean debugging() {
    return logLevel.equals("debug");
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  /** Parses Go durations such as {@code 30s} or {@code 1m0s}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return GoDuration.parseNonNegative(value);
    }
  }

  /** Accepts off, info or debug. */
  static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String v = value.toLowerCase(Locale.ROOT);
      if (!v.equals("off") && !v.equals("info") && !v.equals("debug")) {
        throw new CommandLine.TypeConversionException(
            "invalid log level \"" + value + "\" (expected: off, info or debug)");
      }
      return v;
    }
  }
}
