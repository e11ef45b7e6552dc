package io.meshlite.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.meshlite.api.validation.Violation;
import java.util.List;

/**
 * Kuma's error body (Kong AIP-193 style) with the legacy {@code details}/{@code causes} fields that
 * kumactl and older clients read.
 *
 * @param type always {@code /std-errors}
 * @param status the HTTP status
 * @param title a short summary depending on the operation
 * @param detail the longer explanation
 * @param invalidParameters field-level problems
 * @param details the legacy copy of {@code detail}
 * @param causes the legacy copy of the field-level problems
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorResponse(
    String type,
    int status,
    String title,
    String detail,
    @JsonProperty("invalid_parameters") List<InvalidParameter> invalidParameters,
    String details,
    List<Cause> causes) {

  /** One field-level problem, new style. */
  public record InvalidParameter(String field, String reason) {}

  /** One field-level problem, legacy style. */
  public record Cause(String field, String message) {}

  /** Builds an error body from a status, title, detail and violations. */
  public static ErrorResponse of(int status, String title, String detail, List<Violation> vs) {
    List<InvalidParameter> ip = vs.stream().map(v -> new InvalidParameter(v.field(), v.message())).toList();
    List<Cause> cs = vs.stream().map(v -> new Cause(v.field(), v.message())).toList();
    return new ErrorResponse(
        "/std-errors", status, title, detail, ip.isEmpty() ? null : ip, detail, cs.isEmpty() ? null : cs);
  }

  /** The violations carried by this body, for clients. */
  public List<Violation> violations() {
    if (causes == null) {
      return List.of();
    }
    return causes.stream().map(c -> new Violation(c.field() == null ? "" : c.field(), c.message())).toList();
  }
}
