package io.meshlite.cp.tokens.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.rest.ErrorResponse;
import io.meshlite.api.validation.Violation;
import io.meshlite.api.time.GoDuration;
import io.meshlite.cp.manager.ManagerException;
import io.meshlite.cp.tokens.DataplaneIdentity;
import io.meshlite.cp.tokens.DataplaneTokens;
import io.meshlite.cp.tokens.UserTokens;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kuma's token issuing endpoints as pure functions (body in, reply out): {@code POST
 * /tokens/dataplane} and {@code POST /tokens/user}. A good request gets the token as {@code
 * text/plain}; a bad one 400 with Kuma's error JSON listing every problem.
 */
final class TokenEndpoints {
  private static final Logger log = LoggerFactory.getLogger(TokenEndpoints.class);

  /** A reply: status, content type and body. */
  record Reply(int status, String contentType, byte[] body) {
    static Reply token(String token) {
      return new Reply(200, "text/plain; charset=utf-8", token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static Reply error(int status, String title, String detail, List<Violation> violations) {
      try {
        return new Reply(
            status,
            "application/json; charset=utf-8",
            Json.mapper().writeValueAsBytes(ErrorResponse.of(status, title, detail, violations)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final DataplaneTokens dataplaneTokens;
  private final UserTokens userTokens;

  TokenEndpoints(DataplaneTokens dataplaneTokens, UserTokens userTokens) {
    this.dataplaneTokens = dataplaneTokens;
    this.userTokens = userTokens;
  }

  /** {@code POST /tokens/dataplane {name, mesh, tags, type, workload, validFor}}. */
  Reply dataplane(byte[] body, Caller caller) {
    JsonNode req = parse(body);
    if (req == null) {
      return badBody();
    }
    List<Violation> v = new ArrayList<>();
    String mesh = text(req, "mesh", v);
    String name = text(req, "name", v);
    String type = text(req, "type", v);
    String workload = text(req, "workload", v);
    if (mesh.isEmpty()) {
      v.add(new Violation("mesh", "cannot be empty"));
    }
    if (!type.isEmpty() && !type.equals("dataplane")) {
      v.add(new Violation("type", type + " is not a valid proxy type (expected: dataplane)"));
    }
    Map<String, List<String>> tags = tags(req.path("tags"), v);
    Duration validFor = validFor(req, DataplaneTokens.DEFAULT_VALIDITY, v);
    if (!v.isEmpty()) {
      return Reply.error(400, "Invalid request", "Resource is not valid", v);
    }
    try {
      String token = dataplaneTokens.issue(new DataplaneIdentity(name, mesh, tags, type, workload), validFor);
      log.info(
          "dataplane token issued mesh={} dp={} tags={} validFor={} by={}",
          mesh, name.isEmpty() ? "*" : name, tags.keySet(), GoDuration.format(validFor), caller.name());
      return Reply.token(token);
    } catch (ManagerException.MeshNotFound e) {
      return Reply.error(
          400, "Could not issue a token", "Mesh is not found", List.of(new Violation("mesh", "mesh \"" + mesh + "\" does not exist")));
    }
  }

  /** {@code POST /tokens/user {name, groups, validFor}}; {@code validFor} is required, as in Kuma. */
  Reply user(byte[] body, Caller caller) {
    JsonNode req = parse(body);
    if (req == null) {
      return badBody();
    }
    List<Violation> v = new ArrayList<>();
    String name = text(req, "name", v);
    if (name.isEmpty()) {
      v.add(new Violation("name", "cannot be empty"));
    }
    List<String> groups = new ArrayList<>();
    JsonNode g = req.path("groups");
    if (g.isArray()) {
      g.forEach(x -> groups.add(x.asText()));
    } else if (!g.isMissingNode() && !g.isNull()) {
      v.add(new Violation("groups", "must be a list of group names"));
    }
    Duration validFor = Duration.ZERO;
    if (req.path("validFor").asText("").isEmpty()) {
      v.add(new Violation("validFor", "cannot be empty (e.g. 24h)"));
    } else {
      validFor = validFor(req, Duration.ZERO, v);
    }
    if (!v.isEmpty()) {
      return Reply.error(400, "Invalid request", "Resource is not valid", v);
    }
    String token = userTokens.issue(new UserTokens.User(name, groups), validFor);
    log.info("user token issued user={} groups={} validFor={} by={}", name, groups, GoDuration.format(validFor), caller.name());
    return Reply.token(token);
  }

  private static Reply badBody() {
    return Reply.error(400, "Bad Request", "the body must be a JSON object", List.of());
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode n = body.length == 0 ? null : Json.mapper().readTree(body);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode req, String field, List<Violation> v) {
    JsonNode n = req.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      v.add(new Violation(field, "must be a string"));
      return "";
    }
    return n.asText();
  }

  private static Map<String, List<String>> tags(JsonNode n, List<Violation> v) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      v.add(new Violation("tags", "must be an object of tag name to a list of values"));
      return out;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      List<String> values = new ArrayList<>();
      if (e.getValue().isArray() && !e.getValue().isEmpty()) {
        e.getValue().forEach(x -> values.add(x.asText()));
        out.put(e.getKey(), values);
      } else {
        v.add(new Violation("tags[\"" + e.getKey() + "\"]", "must be a non-empty list of values"));
      }
    }
    return out;
  }

  private static Duration validFor(JsonNode req, Duration fallback, List<Violation> v) {
    String raw = req.path("validFor").asText("");
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      Duration d = GoDuration.parse(raw);
      if (d.isNegative() || d.isZero()) {
        v.add(new Violation("validFor", "must be positive (got " + raw + ")"));
      }
      return d;
    } catch (RuntimeException e) {
      v.add(new Violation("validFor", "is invalid: " + e.getMessage()));
      return fallback;
    }
  }
}
