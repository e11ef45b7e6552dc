package io.meshlite.api.validation;

import java.io.Serial;
import java.util.List;

/**
 * Thrown when an input is invalid. Carries every violation found, not just the first, so a user can
 * fix a file in one go. REST maps it to 400 with Kuma's error JSON; CLIs print it on one line.
 */
public final class ValidationException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final String title;
  private final transient List<Violation> violations;

  public ValidationException(String title, List<Violation> violations) {
    super(title + ": " + join(violations));
    this.title = title;
    this.violations = List.copyOf(violations);
  }

  /** A single-violation error. */
  public static ValidationException of(String field, String message) {
    return new ValidationException("Resource is not valid", List.of(new Violation(field, message)));
  }

  public String title() {
    return title;
  }

  public List<Violation> violations() {
    return violations;
  }

  private static String join(List<Violation> vs) {
    return String.join("; ", vs.stream().map(Violation::toString).toList());
  }
}
