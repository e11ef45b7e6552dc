package io.meshlite.kumactl.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.rest.ErrorResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One answer of the REST API.
 *
 * @param status the HTTP status
 * @param body the body as text (may be empty)
 */
public record ApiResponse(int status, String body) {

  /** True for 2xx. */
  public boolean ok() {
    return status >= 200 && status < 300;
  }

  /** The body as JSON, or a missing node when it is not JSON. */
  public JsonNode json() {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  /**
   * What went wrong, on one line: Kuma's error {@code title}, its {@code detail} when it adds
   * something, and every cause as {@code field: message}; or the status and the first line of a
   * non-JSON body.
   */
  public String describeError() {
    JsonNode n = json();
    if (n.isObject() && (n.has("title") || n.has("details") || n.has("detail"))) {
      ErrorResponse e = Json.mapper().convertValue(n, ErrorResponse.class);
      String title = e.title() == null ? "" : e.title();
      String detail = e.detail() != null ? e.detail() : e.details();
      StringBuilder sb = new StringBuilder(title);
      if (detail != null && !detail.isBlank() && !detail.equals(title)) {
        sb.append(sb.isEmpty() ? "" : ": ").append(detail);
      }
      List<String> causes = new ArrayList<>();
      if (e.causes() != null) {
        e.causes().forEach(c -> causes.add(cause(c.field(), c.message())));
      } else if (e.invalidParameters() != null) {
        e.invalidParameters().forEach(p -> causes.add(cause(p.field(), p.reason())));
      }
      if (!causes.isEmpty()) {
        sb.append(sb.isEmpty() ? "" : " (").append(String.join("; ", causes)).append(sb.isEmpty() ? "" : ")");
      }
      if (!sb.isEmpty()) {
        return oneLine(sb.toString());
      }
    }
    String first = body == null ? "" : body.strip().lines().findFirst().orElse("");
    return "HTTP " + status + (first.isEmpty() ? "" : ": " + oneLine(first));
  }

  private static String cause(String field, String message) {
    String m = message == null ? "" : message;
    return field == null || field.isEmpty() ? m : field + ": " + m;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
