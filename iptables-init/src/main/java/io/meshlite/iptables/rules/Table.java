package io.meshlite.iptables.rules;

import java.util.List;

/** The netfilter tables the transparent proxy writes to, in the order they are rendered. */
public enum Table {
  RAW("raw", List.of("PREROUTING", "OUTPUT")),
  NAT("nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")),
  MANGLE("mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"));

  private final String tableName;
  private final List<String> builtinChains;

  Table(String tableName, List<String> builtinChains) {
    this.tableName = tableName;
    this.builtinChains = builtinChains;
  }

  /** The name iptables uses ({@code nat}, {@code raw}, {@code mangle}). */
  public String tableName() {
    return tableName;
  }

  /** Built-in chains of this table, in the order their rules are rendered. */
  public List<String> builtinChains() {
    return builtinChains;
  }
}
