package io.meshlite.agent.config;

import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{ key }}} (or {@code {{ .key }}}) placeholders of a Dataplane template with {@code
 * --dataplane-var key=value} values. Dotted keys ({@code {{ a.b }}}) are looked up as given.
 * Unlike Kuma's mustache, a placeholder with no value is an error rather than an empty string.
 */
final class DataplaneTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*\\.?([A-Za-z0-9_][A-Za-z0-9_.-]*)\\s*}}");

  private DataplaneTemplate() {}

  static String render(String template, Map<String, String> vars) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    TreeSet<String> missing = new TreeSet<>();
    while (m.find()) {
      String value = vars.get(m.group(1));
      if (value == null) {
        missing.add(m.group(1));
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "no value for template variable(s) " + String.join(", ", missing)
              + " (pass --dataplane-var " + missing.first() + "=...)");
    }
    return out.toString();
  }
}
