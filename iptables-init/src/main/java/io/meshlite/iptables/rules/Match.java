package io.meshlite.iptables.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One match of a rule, rendered with short ({@code -p}) or long ({@code --protocol}) flags. */
public sealed interface Match {

  /** The arguments this match adds to an {@code iptables} rule. */
  List<String> render(boolean verbose);

  /** {@code -p tcp|udp}. */
  record Protocol(String name) implements Match {
    public Protocol {
      if (!name.equals("tcp") && !name.equals("udp")) {
        throw new IllegalArgumentException("protocol: " + name + " (expected: tcp or udp)");
      }
    }

    @Override
    public List<String> render(boolean verbose) {
      return List.of(verbose ? "--protocol" : "-p", name);
    }
  }

  /** {@code [!] -s cidr}. */
  record Source(String cidr, boolean negated) implements Match {
    public Source {
      Objects.requireNonNull(cidr, "cidr");
    }

    @Override
    public List<String> render(boolean verbose) {
      return negatable(negated, verbose ? "--source" : "-s", cidr);
    }
  }

  /** {@code [!] -d cidr}. */
  record Destination(String cidr, boolean negated) implements Match {
    public Destination {
      Objects.requireNonNull(cidr, "cidr");
    }

    @Override
    public List<String> render(boolean verbose) {
      return negatable(negated, verbose ? "--destination" : "-d", cidr);
    }
  }

  /** {@code -o iface}. */
  record OutInterface(String name) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(verbose ? "--out-interface" : "-o", name);
    }
  }

  /** {@code -i iface}; a trailing {@code +} matches every interface with that prefix. */
  record InInterface(String name) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(verbose ? "--in-interface" : "-i", name);
    }
  }

  /** {@code [!] --dport n}; needs a preceding {@link Protocol}. */
  record DestinationPort(int port, boolean negated) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return negatable(
          negated, verbose ? "--destination-port" : "--dport", Integer.toString(port));
    }
  }

  /** {@code --sport n}; needs a preceding {@link Protocol}. */
  record SourcePort(int port) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(verbose ? "--source-port" : "--sport", Integer.toString(port));
    }
  }

  /** {@code -m multiport --dports 53,3000:5000}. */
  record MultiportDestinations(String ports) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(
          verbose ? "--match" : "-m",
          "multiport",
          verbose ? "--destination-ports" : "--dports",
          ports);
    }
  }

  /** {@code -m owner [!] --uid-owner uid|from-to}. */
  record Owner(String uids, boolean negated) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      List<String> out = new ArrayList<>(List.of(verbose ? "--match" : "-m", "owner"));
      out.addAll(negatable(negated, "--uid-owner", uids));
      return out;
    }
  }

  /** {@code -m conntrack --ctstate STATE}. */
  record ConntrackState(String state) implements Match {
    @Override
    public List<String> render(boolean verbose) {
      return List.of(verbose ? "--match" : "-m", "conntrack", "--ctstate", state);
    }
  }


  private static List<String> negatable(boolean negated, String flag, String value) {
    return negated ? List.of("!", flag, value) : List.of(flag, value);
  }
}
