package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.kumactl.client.ApiClient;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.client.ApiUnreachableException;
import io.meshlite.kumactl.config.ConfigFiles;
import io.meshlite.kumactl.config.KumactlConfig;
import io.meshlite.kumactl.output.Table;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kumactl config view} and {@code kumactl config control-planes add|list|switch|remove}. */
final class ConfigCommand {
  private ConfigCommand() {}

  /** The {@code config} subtree. */
  static CommandLine tree(RootCommand root) {
    return KumactlMain.group(
        "config",
        "Manage kumactl config.",
        new View(root),
        KumactlMain.group(
            "control-planes",
            "Manage known Control Planes.",
            new Add(root),
            new ListCps(root),
            new Switch(root),
            new Remove(root)));
  }

  /** {@code kumactl config view}. */
  @Command(name = "view", description = "Show kumactl config.")
  static final class View implements Callable<Integer> {
    private final RootCommand root;

    View(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      root.out.print(ConfigFiles.render(root.config()));
      return 0;
    }
  }

  /** {@code kumactl config control-planes add}. */
  @Command(name = "add", description = "Add a Control Plane.")
  static final class Add implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "reference name for the Control Plane (required)")
    String name;

    @Option(names = "--address", required = true, paramLabel = "URL", description = "URL of the Control Plane API Server (required), e.g. http://localhost:5681")
    String address;

    @Option(names = "--overwrite", description = "overwrite existing Control Plane with the same reference name")
    boolean overwrite;

    @Option(names = "--headers", paramLabel = "KEY=VALUE", description = "add these headers while communicating to control plane")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--ca-cert-file", paramLabel = "FILE", description = "CA certificate to verify the Control Plane (an https:// address), e.g. kuma-cp's <workDir>/kuma-cp.crt")
    String caCertFile;

    @Option(names = "--client-cert-file", paramLabel = "FILE", description = "client certificate (an admin on the HTTPS port)")
    String clientCertFile;

    @Option(names = "--client-key-file", paramLabel = "FILE", description = "client certificate key")
    String clientKeyFile;

    @Option(names = "--skip-verify", description = "skip CA verification (stored, not yet used)")
    boolean skipVerify;

    @Option(names = "--auth-type", paramLabel = "TYPE", description = "authentication type, e.g. tokens")
    String authType;

    @Option(names = "--auth-conf", paramLabel = "KEY=VALUE", description = "authentication configuration, e.g. token=<admin token>")
    Map<String, String> authConf = new LinkedHashMap<>();

    private final RootCommand root;

    Add(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      URI uri;
      try {
        uri = URI.create(address);
      } catch (IllegalArgumentException e) {
        throw new CliException("API Server URL is invalid: " + e.getMessage());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new CliException(
            "API Server URL is invalid: \"" + address + "\" (expected e.g. http://localhost:5681)");
      }
      if ((clientCertFile == null) != (clientKeyFile == null)) {
        throw new CliException("Both --client-cert-file and --client-key-file needs to be specified");
      }
      if (authType != null && !authType.equals("tokens")) {
        throw new CliException("authentication plugin of type \"" + authType + "\" is not found");
      }
      ObjectNode api = JsonNodeFactory.instance.objectNode();
      api.put("url", address);
      putIf(api, "caCertFile", absolute(caCertFile));
      putIf(api, "clientCertFile", absolute(clientCertFile));
      putIf(api, "clientKeyFile", absolute(clientKeyFile));
      if (!headers.isEmpty()) {
        var arr = api.putArray("headers");
        new TreeMap<>(headers).forEach((k, v) -> arr.addObject().put("key", k).put("value", v));
      }
      putIf(api, "authType", authType);
      if (!authConf.isEmpty()) {
        ObjectNode ac = api.putObject("authConf");
        authConf.forEach(ac::put);
      }
      KumactlConfig cfg = root.configForUpdate();
      if (cfg.controlPlane(name).isPresent() && !overwrite) {
        throw new CliException(
            "Control Plane with name \"" + name + "\" already exists. Use --overwrite to replace an existing one.");
      }
      verify(api);
      cfg.addControlPlane(name, api, overwrite);
      root.saveConfig(cfg);
      root.out.println("added Control Plane \"" + name + "\"");
      root.out.println("switched active Control Plane to \"" + name + "\"");
      return 0;
    }

    /** Checks that the address answers {@code GET /} like a Kuma control plane. */
    private void verify(ObjectNode api) {
      Map<String, String> h =
          KumactlConfig.headers(new KumactlConfig.ControlPlane(name, address, api));
      try (ApiClient c = root.client(address, h, api)) {
        ApiResponse r = c.get("/");
        if (r.status() != 200) {
          throw new CliException(
              "Control Plane API Server at " + address + " is not responding (GET / answered HTTP " + r.status() + ")");
        }
        JsonNode n = r.json();
        String product = n.path("tagline").asText(n.path("product").asText(""));
        if (!n.isObject() || !product.equals("Kuma")) {
          throw new CliException(
              "provided address " + address + " is not a valid Kuma Control Plane API Server (GET / did not answer with product \"Kuma\")");
        }
      } catch (ApiUnreachableException e) {
        throw new CliException("could not connect to the Control Plane API Server: " + e.getMessage(), e);
      }
    }

    /** Files are stored as absolute paths, so the config works from any directory. */
    private static String absolute(String file) {
      return file == null || file.isEmpty() ? file : java.nio.file.Path.of(file).toAbsolutePath().toString();
    }

    private static void putIf(ObjectNode n, String field, String value) {
      if (value != null && !value.isEmpty()) {
        n.put(field, value);
      }
    }
  }

  /** {@code kumactl config control-planes list}. */
  @Command(name = "list", description = "List Control Planes.")
  static final class ListCps implements Callable<Integer> {
    private final RootCommand root;

    ListCps(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      KumactlConfig cfg = root.config();
      String active = cfg.current().map(KumactlConfig.ControlPlane::name).orElse("");
      Table t = new Table(List.of("ACTIVE", "NAME", "ADDRESS"));
      for (KumactlConfig.ControlPlane cp : cfg.controlPlanes()) {
        t.row(List.of(cp.name().equals(active) ? "*" : "", cp.name(), cp.url()));
      }
      t.print(root.out);
      return 0;
    }
  }

  /** {@code kumactl config control-planes switch}. */
  @Command(name = "switch", description = "Switch active Control Plane.")
  static final class Switch implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "reference name for the Control Plane (required)")
    String name;

    private final RootCommand root;

    Switch(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      KumactlConfig cfg = root.configForUpdate();
      if (!cfg.switchContext(name)) {
        throw new CliException("there is no Control Plane with name \"" + name + "\"");
      }
      root.saveConfig(cfg);
      root.out.println("switched active Control Plane to \"" + name + "\"");
      return 0;
    }
  }

  /** {@code kumactl config control-planes remove}. */
  @Command(name = "remove", description = "Remove a Control Plane.")
  static final class Remove implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "reference name for the Control Plane (required)")
    String name;

    private final RootCommand root;

    Remove(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      KumactlConfig cfg = root.configForUpdate();
      if (!cfg.removeControlPlane(name)) {
        throw new CliException("there is no Control Plane with name \"" + name + "\"");
      }
      root.saveConfig(cfg);
      root.out.println("removed Control Plane \"" + name + "\"");
      var current = cfg.current();
      if (current.isPresent()) {
        root.out.println("switched active Control Plane to \"" + current.get().name() + "\"");
      } else {
        root.out.println(
            "there is no active Control Plane left. Use `kumactl config control-planes add` to add a Control Plane and make it active");
      }
      return 0;
    }
  }
}
