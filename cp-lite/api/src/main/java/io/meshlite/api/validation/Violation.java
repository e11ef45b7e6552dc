package io.meshlite.api.validation;

import java.util.Objects;

/**
 * One thing wrong with an input, at a field path such as {@code
 * networking.inbound[0].tags["kuma.io/service"]}, as Kuma's {@code causes[]} entries carry it.
 *
 * @param field the path of the offending field ({@code ""} for the whole document)
 * @param message what is wrong and, where useful, what is expected
 */
public record Violation(String field, String message) {
  public Violation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
