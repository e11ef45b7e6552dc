package io.meshlite.cp.policy;

import java.util.Objects;

/**
 * One condition on a client's tags: it has {@code key=value}, or, when {@code not}, it does not.
 *
 * @param key the tag name
 * @param value the tag value
 * @param not true for a negated condition
 */
public record Tag(String key, String value, boolean not) {
  public Tag {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /** The same condition, negated or not. */
  Tag withNot(boolean n) {
    return new Tag(key, value, n);
  }

  @Override
  public String toString() {
    return key + (not ? "!=" : "=") + value;
  }
}
