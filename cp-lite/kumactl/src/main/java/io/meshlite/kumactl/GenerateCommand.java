package io.meshlite.kumactl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.time.GoDuration;
import io.meshlite.kumactl.client.ApiResponse;
import io.meshlite.kumactl.client.Pkcs1;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kumactl generate dataplane-token | user-token | signing-key}, as in Kuma: tokens are
 * issued by the control plane ({@code POST /tokens/dataplane}, {@code POST /tokens/user}, admin
 * only) and printed without a trailing newline; a signing key is generated locally and printed as
 * the base64 of an RSA-2048 PKCS#1 PEM, ready for a Secret's {@code data}.
 */
final class GenerateCommand {
  private GenerateCommand() {}

  /** The {@code generate} subtree. */
  static CommandLine tree(RootCommand root) {
    return KumactlMain.group(
        "generate",
        "Generate resources, tokens, etc.",
        new DataplaneToken(root),
        new UserToken(root),
        new SigningKey(root));
  }

  /** {@code kumactl generate dataplane-token}. */
  @Command(
      name = "dataplane-token",
      description = "Generate Dataplane Token that is used to prove Dataplane identity.",
      footer = {
        "",
        "Examples:",
        "  kumactl generate dataplane-token --mesh demo --name demo-01 --valid-for 24h",
        "  kumactl generate dataplane-token --mesh demo --tag kuma.io/service=web,web-api --valid-for 24h"
      })
  static final class DataplaneToken implements Callable<Integer> {
    @Option(names = "--name", paramLabel = "NAME", description = "name of the Dataplane")
    String name = "";

    @Option(names = {"-m", "--mesh"}, paramLabel = "MESH", description = "mesh to use (default \"default\")")
    String mesh = "default";

    @Option(names = {"--proxy-type", "--type"}, paramLabel = "TYPE", description = "type of the Dataplane (\"dataplane\")")
    String proxyType = "";

    @Option(
        names = "--tag",
        paramLabel = "KEY=VALUES",
        description = "required tag values for dataplane (split values by comma to provide multiple values)")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--workload", paramLabel = "WORKLOAD", description = "the kuma.io/workload label the Dataplane must carry")
    String workload = "";

    @Option(
        names = "--valid-for",
        paramLabel = "DURATION",
        converter = RootCommand.DurationConverter.class,
        description = "how long the token will be valid (for example \"24h\"; default: 10 years)")
    Duration validFor;

    private final RootCommand root;

    DataplaneToken(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("name", name);
      body.put("mesh", mesh);
      body.put("type", proxyType);
      body.put("workload", workload);
      ObjectNode t = body.putObject("tags");
      tags.forEach(
          (k, v) -> {
            ArrayNode values = t.putArray(k);
            for (String value : v.split(",")) {
              if (!value.isBlank()) {
                values.add(value.strip());
              }
            }
          });
      if (validFor != null) {
        if (validFor.isZero()) {
          throw new CliException("--valid-for must be greater than 0");
        }
        body.put("validFor", GoDuration.format(validFor));
      }
      root.out.print(issue("/tokens/dataplane", body.toString(), "dataplane"));
      root.out.flush();
      return 0;
    }

    private String issue(String path, String json, String what) {
      return GenerateCommand.issue(root, path, json, what);
    }
  }

  /** {@code kumactl generate user-token}. */
  @Command(
      name = "user-token",
      description = "Generate User Token that is used to prove User identity.",
      footer = {"", "Example:", "  kumactl generate user-token --name john.doe@example.com --group users --valid-for 24h"})
  static final class UserToken implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "name of the user (required)")
    String name;

    @Option(names = "--group", split = ",", paramLabel = "GROUP", description = "group of the user (repeatable)")
    List<String> groups = new ArrayList<>();

    @Option(
        names = "--valid-for",
        required = true,
        paramLabel = "DURATION",
        converter = RootCommand.DurationConverter.class,
        description = "how long the token will be valid (for example \"24h\"; required)")
    Duration validFor;

    private final RootCommand root;

    UserToken(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      if (validFor.isZero()) {
        throw new CliException("--valid-for must be greater than 0");
      }
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("name", name);
      ArrayNode g = body.putArray("groups");
      groups.forEach(g::add);
      body.put("validFor", GoDuration.format(validFor));
      root.out.print(issue(root, "/tokens/user", body.toString(), "user"));
      root.out.flush();
      return 0;
    }
  }

  /** {@code kumactl generate signing-key}. */
  @Command(
      name = "signing-key",
      description = "Generate a private key for signing tokens.",
      footer = {
        "",
        "Example (rotate the dataplane token key of mesh default):",
        "  echo \"type: Secret",
        "  mesh: default",
        "  name: dataplane-token-signing-key-default-2",
        "  data: {{ key }}\" | kumactl apply --var key=$(kumactl generate signing-key) -f -"
      })
  static final class SigningKey implements Callable<Integer> {
    private final RootCommand root;

    SigningKey(RootCommand root) {
      this.root = root;
    }

    @Override
    public Integer call() {
      root.out.print(Base64.getEncoder().encodeToString(newKeyPem().getBytes(StandardCharsets.US_ASCII)));
      root.out.flush();
      return 0;
    }
  }

  /** A new RSA-2048 private key as PKCS#1 PEM ({@code RSA PRIVATE KEY}), as Kuma generates it. */
  static String newKeyPem() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      byte[] pkcs1 = Pkcs1.fromPkcs8(g.generateKeyPair().getPrivate().getEncoded());
      return "-----BEGIN RSA PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1)
          + "\n-----END RSA PRIVATE KEY-----\n";
    } catch (GeneralSecurityException e) {
      throw new CliException("could not generate signing key: " + e.getMessage(), e);
    }
  }

  private static String issue(RootCommand root, String path, String json, String what) {
    ApiResponse r = root.api().post(path, json);
    if (!r.ok()) {
      String hint =
          r.status() == 401 || r.status() == 403
              ? " (issuing tokens needs an admin: run kumactl on the control plane host, or configure an admin token with"
                  + " `kumactl config control-planes add --auth-type tokens --auth-conf token=...`)"
              : "";
      throw new CliException("failed to generate a " + what + " token: " + r.describeError() + hint);
    }
    return r.body().strip();
  }
}
