package io.meshlite.cp.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of clients described by tag conditions that must all hold; no conditions means every
 * client.
 *
 * @param tags the conditions, in a stable order
 */
public record Subset(List<Tag> tags) {
  /** Every client. */
  public static final Subset ALL = new Subset(List.of());

  public Subset {
    tags = List.copyOf(tags);
  }

  /** A subset of positive conditions, one per map entry (in the map's order). */
  public static Subset of(Map<String, String> tags) {
    List<Tag> out = new ArrayList<>();
    tags.forEach((k, v) -> out.add(new Tag(k, v, false)));
    return new Subset(out);
  }

  /** The number of positive conditions. */
  public int numPositive() {
    return (int) tags.stream().filter(t -> !t.not()).count();
  }

  /**
   * True if every client in {@code other} is also in this subset (Kuma's {@code IsSubset} with the
   * receiver as the wider set): each of our conditions appears, identical, in {@code other}, and
   * {@code other} has no conflicting condition on the same key.
   */
  public boolean contains(Subset other) {
    if (tags.isEmpty()) {
      return true;
    }
    Map<String, List<Tag>> byKey = new HashMap<>();
    for (Tag t : other.tags) {
      byKey.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(t);
    }
    for (Tag t : tags) {
      List<Tag> same = byKey.get(t.key());
      if (same == null) {
        return false;
      }
      for (Tag o : same) {
        if (!o.equals(t)) {
          return false;
        }
      }
    }
    return true;
  }

  /** True if some client can be in both subsets (no key is required to have two values). */
  public boolean intersects(Subset other) {
    Map<String, String> positive = new HashMap<>();
    for (Tag t : other.tags) {
      if (!t.not()) {
        positive.put(t.key(), t.value());
      }
    }
    for (Tag t : tags) {
      String v = positive.get(t.key());
      if (v == null) {
        continue;
      }
      if (t.not() ? v.equals(t.value()) : !v.equals(t.value())) {
        return false;
      }
    }
    for (Tag t : other.tags) {
      if (t.not()) {
        for (Tag mine : tags) {
          if (!mine.not() && mine.key().equals(t.key()) && mine.value().equals(t.value())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return tags.toString();
  }
}
