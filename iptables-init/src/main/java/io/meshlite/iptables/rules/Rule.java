package io.meshlite.iptables.rules;

import java.util.List;
import java.util.Objects;

/**
 * One rule: where it goes (chain, appended or inserted at the top), what it matches, where it
 * jumps, and the comment that marks it as ours (rendered with {@link RuleSet#COMMENT_PREFIX}).
 */
public record Rule(Chain chain, boolean insert, List<Match> matches, Jump jump, String comment) {
  public Rule {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(jump, "jump");
    matches = List.copyOf(matches);
    comment = comment == null ? "" : comment;
    if (comment.indexOf('"') >= 0 || comment.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("comment: " + comment + " (expected: no quotes)");
    }
  }

  /** A rule appended to the end of {@code chain}. */
  public static Rule append(Chain chain, String comment, Jump jump, Match... matches) {
    return new Rule(chain, false, List.of(matches), jump, comment);
  }

  /** A rule inserted before the rules already in {@code chain} (after our earlier inserts). */
  public static Rule insert(Chain chain, String comment, Jump jump, Match... matches) {
    return new Rule(chain, true, List.of(matches), jump, comment);
  }
}
