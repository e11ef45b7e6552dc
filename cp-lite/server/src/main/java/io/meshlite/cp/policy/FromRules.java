package io.meshlite.cp.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BinaryOperator;

/**
 * Kuma's rule building for inbound ({@code from[]}) policies: turns an ordered list of (client
 * subset, configuration) entries into disjoint rules. See the package design note.
 */
public final class FromRules {
  /** Beyond this many distinct tags in one group of overlapping entries the combinations explode. */
  static final int MAX_TAGS = 16;

  private FromRules() {}

  /**
   * One flattened {@code from[]} entry.
   *
   * @param subset the clients it is about
   * @param conf its configuration ({@code default})
   * @param <C> the configuration type
   */
  public record Item<C>(Subset subset, C conf) {
    public Item {
      Objects.requireNonNull(subset, "subset");
      Objects.requireNonNull(conf, "conf");
    }
  }

  /**
   * Builds the rules.
   *
   * @param items entries in ascending priority (later entries override earlier ones)
   * @param merge merges an earlier configuration with a later one
   * @return rules with disjoint subsets, those with more positive conditions first
   * @throws IllegalArgumentException if overlapping entries mention more than {@value #MAX_TAGS}
   *     distinct tags
   */
  public static <C> List<Rule<C>> build(List<Item<C>> items, BinaryOperator<C> merge) {
    List<Rule<C>> rules = new ArrayList<>();
    for (List<Integer> component : components(items)) {
      Set<Tag> unique = new LinkedHashSet<>();
      for (int i : component) {
        for (Tag t : items.get(i).subset().tags()) {
          unique.add(t.withNot(false));
        }
      }
      List<Tag> tags = new ArrayList<>(unique);
      tags.sort(Comparator.comparing(Tag::key).thenComparing(Tag::value));
      if (tags.size() > MAX_TAGS) {
        throw new IllegalArgumentException(
            "policies combine " + tags.size() + " distinct client tags; at most " + MAX_TAGS + " are supported");
      }
      long combinations = 1L << tags.size();
      // Kuma's iterator flips the first tag first and ends with the all-positive combination.
      for (long step = 1; step <= combinations; step++) {
        long mask = step % combinations;
        List<Tag> combo = new ArrayList<>(tags.size());
        for (int b = 0; b < tags.size(); b++) {
          combo.add(tags.get(b).withNot((mask & (1L << b)) != 0));
        }
        Subset subset = simplify(combo);
        if (subset == null) {
          continue;
        }
        C conf = null;
        for (int i : component) {
          Item<C> item = items.get(i);
          if (item.subset().contains(subset)) {
            conf = conf == null ? item.conf() : merge.apply(conf, item.conf());
          }
        }
        if (conf != null) {
          rules.add(new Rule<>(subset, conf));
        }
      }
    }
    List<Rule<C>> sorted = new ArrayList<>(rules);
    sorted.sort(Comparator.comparingInt((Rule<C> r) -> r.subset().numPositive()).reversed());
    return List.copyOf(sorted);
  }

  /**
   * Drops conditions made redundant by a positive one on the same key; null if the combination
   * asks for two values of one key (no client can match).
   */
  private static Subset simplify(List<Tag> combo) {
    Map<String, List<Tag>> byKey = new LinkedHashMap<>();
    for (Tag t : combo) {
      byKey.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(t);
    }
    List<Tag> out = new ArrayList<>();
    for (List<Tag> same : byKey.values()) {
      List<Tag> positive = same.stream().filter(t -> !t.not()).toList();
      if (positive.size() > 1) {
        return null;
      }
      out.addAll(positive.isEmpty() ? same : positive);
    }
    return new Subset(out);
  }

  /** Groups entries whose subsets overlap (transitively), each group in entry order. */
  private static <C> List<List<Integer>> components(List<Item<C>> items) {
    int[] parent = new int[items.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < items.size(); i++) {
      for (int j = i + 1; j < items.size(); j++) {
        if (items.get(i).subset().intersects(items.get(j).subset())) {
          parent[find(parent, i)] = find(parent, j);
        }
      }
    }
    Map<Integer, List<Integer>> groups = new TreeMap<>();
    Map<Integer, Integer> firstIndex = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      int root = find(parent, i);
      firstIndex.putIfAbsent(root, i);
      groups.computeIfAbsent(firstIndex.get(root), k -> new ArrayList<>()).add(i);
    }
    return List.copyOf(groups.values());
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
