package io.meshlite.iptables.system;

import io.meshlite.iptables.rules.Chain;
import io.meshlite.iptables.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognises our rules in {@code iptables-save} output: lines with the comment prefix or a
 * {@code KUMA_MESH} chain. Pure; the flows in {@link TransparentProxy} apply the result.
 */
final class Cleanup {
  private Cleanup() {}

  /** True if the dump holds anything of ours (or anything named like ours). */
  static boolean hasOurs(String save) {
    return save.contains(Chain.PREFIX) || save.contains(RuleSet.COMMENT_PREFIX);
  }

  /**
   * True if {@code KUMA_MESH} chains exist but none of our comments: rules we cannot tell apart
   * from someone else's, which must be removed by hand.
   */
  static boolean conflicting(String save) {
    return save.contains(Chain.PREFIX) && !save.contains(RuleSet.COMMENT_PREFIX);
  }

  /** The dump without comments lines and without our chains and rules. */
  static String withoutOurs(String save) {
    List<String> kept = new ArrayList<>();
    for (String line : save.split("\n", -1)) {
      if (line.startsWith("#") || isOurs(line)) {
        continue;
      }
      kept.add(line);
    }
    return String.join("\n", kept);
  }

  /** Our rule lines ({@code -A ...}) in a dump. */
  static List<String> ourRules(String save) {
    return save.lines().filter(l -> l.startsWith("-A ") && isOurs(l)).toList();
  }

  static boolean isOurs(String line) {
    return line.contains(Chain.PREFIX) || line.contains(RuleSet.COMMENT_PREFIX);
  }
}
