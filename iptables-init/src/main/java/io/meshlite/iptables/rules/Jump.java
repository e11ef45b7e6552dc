package io.meshlite.iptables.rules;

import java.util.List;

/** The target of a rule. */
public sealed interface Jump {

  /** The arguments this target adds to an {@code iptables} rule, starting with {@code -j}. */
  List<String> render(boolean verbose);

  /** {@code -j CHAIN}. */
  record ToChain(String chain) implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(jump(verbose), chain);
    }
  }

  /** {@code -j RETURN}. */
  record Return() implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(jump(verbose), "RETURN");
    }
  }

  /** {@code -j DROP}. */
  record Drop() implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(jump(verbose), "DROP");
    }
  }

  /** {@code -j REDIRECT --to-ports n}. */
  record RedirectTo(int port) implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(jump(verbose), "REDIRECT", "--to-ports", Integer.toString(port));
    }
  }

  /** {@code -j CT --zone n} (raw table). */
  record ConntrackZone(int zone) implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(jump(verbose), "CT", "--zone", Integer.toString(zone));
    }
  }

  /** {@code -j LOG --log-prefix PREFIX --log-level n}. */
  record Log(String prefix, int level) implements Jump {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(
          jump(verbose), "LOG", "--log-prefix", prefix, "--log-level", Integer.toString(level));
    }
  }

  private static String jump(boolean verbose) {
    return verbose ? "--jump" : "-j";
  }
}
