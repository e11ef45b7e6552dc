package io.meshlite.kumactl.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kumactl's configuration: known control planes, contexts pointing at them and the current context.
 * Mutators follow Kuma's semantics (adding a control plane adds a same-named context; removing it
 * removes its contexts and moves the current context to the first one left).
 */
public final class KumactlConfig {
  /** The control plane used when there is no configuration file, as in Kuma. */
  public static final String DEFAULT_URL = "http://localhost:5681";

  private static final Map<String, String> SNAKE_KEYS =
      Map.of(
          "control_planes", "controlPlanes",
          "current_context", "currentContext",
          "control_plane", "controlPlane",
          "api_server", "apiServer",
          "ca_cert_file", "caCertFile",
          "client_cert_file", "clientCertFile",
          "client_key_file", "clientKeyFile",
          "auth_type", "authType",
          "auth_conf", "authConf");

  private final ObjectNode root;

  private KumactlConfig(ObjectNode root) {
    this.root = root;
    if (!root.path("controlPlanes").isArray()) {
      root.putArray("controlPlanes");
    }
    if (!root.path("contexts").isArray()) {
      root.putArray("contexts");
    }
    if (!root.path("currentContext").isTextual()) {
      root.put("currentContext", "");
    }
  }

  /** Kuma's default: one control plane and context named {@code local} at {@link #DEFAULT_URL}. */
  public static KumactlConfig defaults() {
    KumactlConfig c = new KumactlConfig(JsonNodeFactory.instance.objectNode());
    ObjectNode api = JsonNodeFactory.instance.objectNode().put("url", DEFAULT_URL);
    c.addControlPlane("local", api, false);
    return c;
  }

  /** Wraps a parsed file; snake_case keys (Kuma accepts both) are turned into camelCase. */
  public static KumactlConfig of(JsonNode tree) {
    ObjectNode copy = tree != null && tree.isObject() ? (ObjectNode) tree.deepCopy() : JsonNodeFactory.instance.objectNode();
    normalize(copy);
    return new KumactlConfig(copy);
  }

  /** The tree as it is written to disk. */
  public ObjectNode tree() {
    return root.deepCopy();
  }

  /** The name of the current context, empty when none. */
  public String currentContext() {
    return root.path("currentContext").asText("");
  }

  /** One known control plane. */
  public record ControlPlane(String name, String url, JsonNode apiServer) {}

  /** All known control planes in file order. */
  public List<ControlPlane> controlPlanes() {
    List<ControlPlane> out = new ArrayList<>();
    for (JsonNode cp : root.path("controlPlanes")) {
      JsonNode api = cp.path("coordinates").path("apiServer");
      out.add(new ControlPlane(cp.path("name").asText(""), api.path("url").asText(""), api));
    }
    return out;
  }

  /** The control plane of the current context, if both exist. */
  public Optional<ControlPlane> current() {
    return context(currentContext())
        .flatMap(ctx -> controlPlane(ctx.path("controlPlane").asText("")));
  }

  /** The control plane named so. */
  public Optional<ControlPlane> controlPlane(String name) {
    return controlPlanes().stream().filter(cp -> cp.name().equals(name)).findFirst();
  }

  /**
   * Adds (or with {@code overwrite} replaces) a control plane and its same-named context, and makes
   * that context current.
   *
   * @return false when one with this name exists and {@code overwrite} is false
   */
  public boolean addControlPlane(String name, ObjectNode apiServer, boolean overwrite) {
    ArrayNode cps = (ArrayNode) root.get("controlPlanes");
    ObjectNode cp = JsonNodeFactory.instance.objectNode();
    cp.put("name", name);
    cp.putObject("coordinates").set("apiServer", apiServer.deepCopy());
    int idx = indexOf(cps, name);
    if (idx >= 0 && !overwrite) {
      return false;
    }
    if (idx >= 0) {
      cps.set(idx, cp);
    } else {
      cps.add(cp);
    }
    ArrayNode ctxs = (ArrayNode) root.get("contexts");
    ObjectNode ctx = JsonNodeFactory.instance.objectNode().put("name", name).put("controlPlane", name);
    int cidx = indexOf(ctxs, name);
    if (cidx >= 0) {
      ctxs.set(cidx, ctx);
    } else {
      ctxs.add(ctx);
    }
    root.put("currentContext", name);
    return true;
  }

  /** Makes the context named so current; false when there is none. */
  public boolean switchContext(String name) {
    if (context(name).isEmpty()) {
      return false;
    }
    root.put("currentContext", name);
    return true;
  }

  /** Removes a control plane and every context using it; false when there is none. */
  public boolean removeControlPlane(String name) {
    ArrayNode cps = (ArrayNode) root.get("controlPlanes");
    int idx = indexOf(cps, name);
    if (idx < 0) {
      return false;
    }
    cps.remove(idx);
    ArrayNode ctxs = (ArrayNode) root.get("contexts");
    Iterator<JsonNode> it = ctxs.elements();
    List<String> removed = new ArrayList<>();
    while (it.hasNext()) {
      JsonNode c = it.next();
      if (c.path("controlPlane").asText("").equals(name)) {
        removed.add(c.path("name").asText(""));
        it.remove();
      }
    }
    if (removed.contains(currentContext())) {
      root.put("currentContext", ctxs.isEmpty() ? "" : ctxs.get(0).path("name").asText(""));
    }
    return true;
  }

  /** The headers to send to a control plane: {@code headers[{key,value}]} and token auth. */
  public static Map<String, String> headers(ControlPlane cp) {
    Map<String, String> h = new LinkedHashMap<>();
    for (JsonNode kv : cp.apiServer().path("headers")) {
      h.put(kv.path("key").asText(), kv.path("value").asText());
    }
    if ("tokens".equals(cp.apiServer().path("authType").asText(""))) {
      String token = cp.apiServer().path("authConf").path("token").asText("");
      if (!token.isEmpty()) {
        h.put("Authorization", "Bearer " + token);
      }
    }
    return h;
  }

  private Optional<JsonNode> context(String name) {
    for (JsonNode c : root.path("contexts")) {
      if (c.path("name").asText("").equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static int indexOf(ArrayNode arr, String name) {
    for (int i = 0; i < arr.size(); i++) {
      if (arr.get(i).path("name").asText("").equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static void normalize(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (String key : o.properties().stream().map(Map.Entry::getKey).toList()) {
        JsonNode v = o.get(key);
        String camel = SNAKE_KEYS.get(key);
        if (camel != null && !o.has(camel)) {
          o.remove(key);
          o.set(camel, v);
        }
        if (!"authConf".equals(camel != null ? camel : key)) {
          normalize(v);
        }
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(KumactlConfig::normalize);
    }
  }
}
