package io.meshlite.cp.rest;

import io.meshlite.api.validation.Violation;
import java.io.Serial;
import java.util.List;

/**
 * An HTTP-level failure decided by the REST layer itself (unknown path, wrong method, body too
 * large, wrong media type, …). {@link RestErrors} renders it like every other error.
 */
final class RestException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;
  private final String detail;
  private final transient List<Violation> violations;

  RestException(int status, String title, String detail) {
    this(status, title, detail, List.of());
  }

  RestException(int status, String title, String detail, List<Violation> violations) {
    super(status + " " + title + ": " + detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.violations = List.copyOf(violations);
  }

  int status() {
    return status;
  }

  String title() {
    return title;
  }

  String detail() {
    return detail;
  }

  List<Violation> violations() {
    return violations;
  }
}
