package io.meshlite.cp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import io.meshlite.api.rest.ErrorResponse;
import io.meshlite.api.validation.ValidationException;
import io.meshlite.api.validation.Violation;
import io.meshlite.cp.manager.ManagerException;
import io.meshlite.cp.store.StoreException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become Kuma's error JSON ({@link ErrorResponse}: {@code type
 * /std-errors}, status, title, detail, invalid_parameters, details, causes). The title names the
 * operation that failed; the status and detail come from the failure. Anything unexpected is a
 * 500 whose cause is logged, never shown.
 */
final class RestErrors {
  private static final Logger log = LoggerFactory.getLogger(RestErrors.class);

  private RestErrors() {}

  /** The reply for a failure of the operation described by {@code title}. */
  static RestApi.Reply reply(Throwable t, String title) {
    ErrorResponse body =
        switch (t) {
          case RestException e ->
              ErrorResponse.of(e.status(), e.title() != null ? e.title() : title, e.detail(), e.violations());
          case ValidationException e -> ErrorResponse.of(400, title, e.title(), e.violations());
          case ManagerException.MeshNotFound e ->
              ErrorResponse.of(400, title, "Mesh is not found", List.of(new Violation("mesh", e.getMessage())));
          case ManagerException.InvalidPage e ->
              ErrorResponse.of(400, title, e.detail(), List.of(new Violation(e.field(), e.getMessage())));
          case StoreException.NotFound e -> ErrorResponse.of(404, title, "Not found", List.of());
          case StoreException.AlreadyExists e -> ErrorResponse.of(409, title, "Conflict", List.of());
          case StoreException.Conflict e -> ErrorResponse.of(409, title, "Conflict", List.of());
          case StoreException.Unavailable e -> {
            log.warn("store unavailable title=\"{}\" error={}", title, e.getMessage());
            // The store's message names the database and the cause, never credentials.
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            yield ErrorResponse.of(503, title, "Service unavailable: " + why, List.of());
          }
          default -> {
            log.error("request failed title=\"{}\"", title, t);
            yield ErrorResponse.of(500, title, "Internal Server Error", List.of());
          }
        };
    return new RestApi.Reply(body.status(), toJson(body));
  }

  /** A reply for a bare status decided outside any operation (Armeria's own rejections). */
  static RestApi.Reply forStatus(int status, String detail) {
    String title =
        switch (status) {
          case 400 -> "Bad Request";
          case 404 -> "Not found";
          case 405 -> "Method not allowed";
          case 408 -> "Request timeout";
          case 413 -> "Request body is too large";
          case 415 -> "Unsupported media type";
          case 503 -> "Service unavailable";
          default -> status >= 500 ? "Internal Server Error" : "Could not process the request";
        };
    ErrorResponse body = ErrorResponse.of(status, title, detail, List.of());
    return new RestApi.Reply(status, toJson(body));
  }

  private static JsonNode toJson(ErrorResponse e) {
    return Json.mapper().valueToTree(e);
  }
}
