package io.meshlite.iptables.rules;

import java.util.Objects;

/** A chain in one table; built-in chains ({@code OUTPUT}) or our own ({@code KUMA_MESH_*}). */
public record Chain(Table table, String name) {
  /** Prefix of every chain the transparent proxy creates. */
  public static final String PREFIX = "KUMA_MESH";

  public static final Chain NAT_PREROUTING = new Chain(Table.NAT, "PREROUTING");
  public static final Chain NAT_OUTPUT = new Chain(Table.NAT, "OUTPUT");
  public static final Chain RAW_PREROUTING = new Chain(Table.RAW, "PREROUTING");
  public static final Chain RAW_OUTPUT = new Chain(Table.RAW, "OUTPUT");
  public static final Chain MANGLE_PREROUTING = new Chain(Table.MANGLE, "PREROUTING");
  public static final Chain MESH_INBOUND = new Chain(Table.NAT, PREFIX + "_INBOUND");
  public static final Chain MESH_INBOUND_REDIRECT =
      new Chain(Table.NAT, PREFIX + "_INBOUND_REDIRECT");
  public static final Chain MESH_OUTBOUND = new Chain(Table.NAT, PREFIX + "_OUTBOUND");
  public static final Chain MESH_OUTBOUND_REDIRECT =
      new Chain(Table.NAT, PREFIX + "_OUTBOUND_REDIRECT");

  public Chain {
    Objects.requireNonNull(table, "table");
    if (name == null || name.isBlank() || name.contains(" ")) {
      throw new IllegalArgumentException("chain name: '" + name + "' (expected: no spaces)");
    }
  }

  /** True for the table's built-in chains, which exist without {@code -N}. */
  public boolean builtin() {
    return table.builtinChains().contains(name);
  }
}
