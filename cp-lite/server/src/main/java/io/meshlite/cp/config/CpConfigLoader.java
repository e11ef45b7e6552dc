package io.meshlite.cp.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Loads {@link CpConfig} the way Kuma does: built-in defaults → YAML file (unknown keys ignored) →
 * {@code KUMA_*} environment variables (by the explicit table in {@link ConfigKeys}) →
 * autoconfiguration of empty paths. The environment is passed in, so tests need no real variables.
 */
public final class CpConfigLoader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CpConfigLoader() {}

  /**
   * Loads the effective configuration.
   *
   * @param file the {@code -c} file, if any
   * @param env the process environment (only the variables in {@link ConfigKeys} are read)
   * @throws ConfigException with a one-line message naming the offending key, value and what is
   *     expected
   */
  public static CpConfig load(Optional<Path> file, Map<String, String> env) {
    ObjectNode tree = ConfigKeys.toJson(CpConfig.builtIn());
    if (file.isPresent()) {
      overlayFile(tree, file.get());
    }
    overlayEnv(tree, env);
    autoconfigure(tree, env);
    CpConfig c = ConfigKeys.fromJson(tree);
    check(c);
    return c;
  }

  private static void overlayFile(ObjectNode tree, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist (check the -c/--config-file path)");
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = Json.yaml().readTree(text);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ConfigException(
          "config file " + file + " is not valid YAML" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""),
          e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException("config file " + file + " must be a YAML mapping of Kuma settings (e.g. apiServer: ...)");
    }
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      JsonNode n = at(root, k.path());
      if (n == null || n.isNull() || n.isMissingNode()) {
        continue;
      }
      String shown = k.secret() ? ConfigKeys.REDACTED : n.toString();
      if (!n.isValueNode()) {
        throw new ConfigException(
            k.path() + " in " + file + ": " + shown + " (expected: " + k.kind().expected() + ")");
      }
      set(tree, k, n.asText(), k.path() + " in " + file + ": " + shown);
    }
  }

  private static void overlayEnv(ObjectNode tree, Map<String, String> env) {
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      String v = env.get(k.env());
      if (v != null) {
        String shown = k.secret() ? ConfigKeys.REDACTED : "\"" + v + "\"";
        set(tree, k, v, k.env() + "=" + shown);
      }
    }
  }

  private static void set(ObjectNode tree, ConfigKeys.Key k, String raw, String what) {
    Object value;
    try {
      value = k.kind().normalise(raw);
    } catch (RuntimeException e) {
      throw new ConfigException(what + " is not valid (expected: " + k.kind().expected() + ")");
    }
    JsonNode node =
        switch (value) {
          case Boolean b -> NODES.booleanNode(b);
          case Integer i -> NODES.numberNode(i);
          default -> NODES.textNode(value.toString());
        };
    ConfigKeys.update(tree, k.path(), old -> node);
  }

  private static void autoconfigure(ObjectNode tree, Map<String, String> env) {
    ObjectNode general = (ObjectNode) tree.get("general");
    if (general.get("workDir").asText().isEmpty()) {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      general.put("workDir", Path.of(home, ".kuma").toString());
    }
    ObjectNode sqlite = (ObjectNode) tree.get("store").get("sqlite");
    if (sqlite.get("path").asText().isEmpty()) {
      sqlite.put("path", Path.of(general.get("workDir").asText(), "kuma-cp.db").toString());
    }
  }

  private static void check(CpConfig c) {
    if (!c.apiServer().basePath().startsWith("/")) {
      throw new ConfigException(
          "apiServer.basePath (KUMA_API_SERVER_BASE_PATH): \"" + c.apiServer().basePath() + "\" is not valid (expected: a path starting with /)");
    }
  }

  private static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(part);
    }
    return n;
  }
}
