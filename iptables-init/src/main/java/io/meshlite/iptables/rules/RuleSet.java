package io.meshlite.iptables.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every chain and rule the transparent proxy installs for one IP family, in install order.
 *
 * <p>Rendering follows Kuma: tables in the order raw, nat, mangle (empty ones left out); per
 * table first {@code -N} for our chains, then the rules of the built-in chains, then the rules of
 * our chains; inserted rules get positions 1, 2, ... within their chain so they keep their order
 * at the top of a chain that may already hold other rules.
 */
public record RuleSet(IpFamily family, List<Chain> customChains, List<Rule> rules) {
  /** Prefix of the comment on every rule we install (unless comments are disabled). */
  public static final String COMMENT_PREFIX = "kuma/mesh/transparent/proxy/";

  public RuleSet {
    Objects.requireNonNull(family, "family");
    customChains = List.copyOf(customChains);
    rules = List.copyOf(rules);
    for (Rule rule : rules) {
      if (!rule.chain().builtin() && !customChains.contains(rule.chain())) {
        throw new IllegalArgumentException("rule for undeclared chain " + rule.chain().name());
      }
    }
  }

  /** The rules of one table, ordered as rendered. */
  public List<Rule> rules(Table table) {
    List<Chain> order = new ArrayList<>();
    for (String name : table.builtinChains()) {
      order.add(new Chain(table, name));
    }
    customChains.stream().filter(c -> c.table() == table).forEach(order::add);
    List<Rule> out = new ArrayList<>();
    for (Chain chain : order) {
      rules.stream().filter(r -> r.chain().equals(chain)).forEach(out::add);
    }
    return out;
  }

  /** The {@code iptables-restore} text for this rule set, ending with a newline. */
  public String render(boolean comments, boolean verbose) {
    List<String> tables = new ArrayList<>();
    for (Table table : Table.values()) {
      String text = renderTable(table, comments, verbose);
      if (!text.isEmpty()) {
        tables.add(text);
      }
    }
    return String.join(verbose ? "\n\n" : "\n", tables) + "\n";
  }

  /** The rendered rule lines (without table headers), as they would be fed to restore. */
  public List<String> ruleLines(Table table, boolean comments, boolean verbose) {
    Map<Chain, Integer> positions = new HashMap<>();
    List<String> lines = new ArrayList<>();
    for (Rule rule : rules(table)) {
      Integer position = null;
      if (rule.insert()) {
        position = positions.merge(rule.chain(), 1, Integer::sum);
      }
      lines.add(renderRule(rule, position, comments, verbose));
    }
    return lines;
  }

  private String renderTable(Table table, boolean comments, boolean verbose) {
    List<String> ruleLines = ruleLines(table, comments, verbose);
    if (ruleLines.isEmpty()) {
      return "";
    }
    List<String> chainLines = new ArrayList<>();
    for (Chain chain : customChains) {
      if (chain.table() == table) {
        chainLines.add((verbose ? "--new-chain " : "-N ") + chain.name());
      }
    }
    List<String> blocks = new ArrayList<>();
    blocks.add("* " + table.tableName());
    if (!chainLines.isEmpty()) {
      if (verbose) {
        chainLines.addFirst("# Custom Chains:");
      }
      blocks.add(String.join("\n", chainLines));
    }
    if (verbose) {
      ruleLines = new ArrayList<>(ruleLines);
      ruleLines.addFirst("# Rules:");
    }
    blocks.add(String.join("\n", ruleLines));
    blocks.add("COMMIT");
    return String.join(verbose ? "\n\n" : "\n", blocks);
  }

  private static String renderRule(Rule rule, Integer position, boolean comments, boolean verbose) {
    List<String> words = new ArrayList<>();
    if (position == null) {
      words.add(verbose ? "--append" : "-A");
      words.add(rule.chain().name());
    } else {
      words.add(verbose ? "--insert" : "-I");
      words.add(rule.chain().name());
      words.add(position.toString());
    }
    if (comments && !rule.comment().isEmpty()) {
      words.add(verbose ? "--match" : "-m");
      words.add("comment");
      words.add("--comment");
      words.add('"' + COMMENT_PREFIX + rule.comment() + '"');
    }
    for (Match match : rule.matches()) {
      words.addAll(match.render(verbose));
    }
    words.addAll(rule.jump().render(verbose));
    return String.join(" ", words);
  }
}
