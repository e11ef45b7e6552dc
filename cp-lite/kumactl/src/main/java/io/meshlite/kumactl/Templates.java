package io.meshlite.kumactl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kuma's {@code kumactl apply -v key=value} substitution: {@code {{ key }}} (and the unescaped
 * {@code {{{ key }}}}) placeholders are replaced by the values given. Keys may contain dots
 * ({@code {{ var.with.dots }}}), as in Kuma. Like Kuma, nothing is substituted when no variable is
 * given; unlike Kuma (which silently inserts an empty string), a placeholder without a value is an
 * error naming the missing keys.
 */
final class Templates {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}}|\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");

  private Templates() {}

  /**
   * Substitutes every placeholder.
   *
   * @throws CliException naming each placeholder that has no value
   */
  static String render(String text, Map<String, String> vars) {
    if (vars.isEmpty()) {
      return text;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    TreeSet<String> missing = new TreeSet<>();
    while (m.find()) {
      String key = m.group(1) != null ? m.group(1) : m.group(2);
      String value = vars.get(key);
      if (value == null) {
        missing.add(key);
        value = "";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    if (!missing.isEmpty()) {
      List<String> flags = new ArrayList<>();
      missing.forEach(k -> flags.add("-v " + k + "=VALUE"));
      throw new CliException(
          "no value for placeholder(s) "
              + String.join(", ", missing.stream().map(k -> "{{ " + k + " }}").toList())
              + " (pass " + String.join(" ", flags) + ")");
    }
    return sb.toString();
  }
}
