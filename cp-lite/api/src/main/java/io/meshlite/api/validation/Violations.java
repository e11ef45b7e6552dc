package io.meshlite.api.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects violations while a validator walks an input; {@link #throwIfAny} ends the walk. */
public final class Violations {
  private final List<Violation> list = new ArrayList<>();

  public Violations add(String field, String message) {
    list.add(new Violation(field, message));
    return this;
  }

  public Violations addAll(List<Violation> vs) {
    list.addAll(vs);
    return this;
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Violation> list() {
    return List.copyOf(list);
  }

  /** Throws a {@link ValidationException} with the given title if anything was collected. */
  public void throwIfAny(String title) {
    if (!list.isEmpty()) {
      throw new ValidationException(title, list);
    }
  }

  /** Path helper: {@code parent.child}, or {@code child} at the root. */
  public static String path(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  /** Path helper for a list element: {@code parent[i]}. */
  public static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** Path helper for a map key: {@code parent["key"]}, as Kuma writes tag paths. */
  public static String key(String parent, String key) {
    return parent + "[\"" + key + "\"]";
  }
}
