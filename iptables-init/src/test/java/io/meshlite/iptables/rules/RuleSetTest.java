package io.meshlite.iptables.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {
  private static final Chain CUSTOM = new Chain(Table.NAT, "KUMA_MESH_X");

  @Test
  void insertedRulesAreNumberedPerChainAndTablesRenderInKumaOrder() {
    RuleSet set =
        new RuleSet(
            IpFamily.IPV4,
            List.of(CUSTOM),
            List.of(
                Rule.append(Chain.NAT_OUTPUT, "", new Jump.ToChain("KUMA_MESH_X")),
                Rule.insert(
                    Chain.NAT_OUTPUT, "first", new Jump.Return(), new Match.Protocol("udp")),
                Rule.append(Chain.MANGLE_PREROUTING, "", new Jump.Drop()),
                Rule.insert(Chain.NAT_PREROUTING, "", new Jump.Return()),
                Rule.insert(
                    Chain.NAT_OUTPUT,
                    "",
                    new Jump.Return(),
                    new Match.Destination("10.0.0.1", true)),
                Rule.append(CUSTOM, "", new Jump.RedirectTo(15001), new Match.Protocol("tcp")),
                Rule.append(Chain.RAW_OUTPUT, "", new Jump.ConntrackZone(2))));

    assertThat(set.render(true, false))
        .isEqualTo(
            """
            * raw
            -A OUTPUT -j CT --zone 2
            COMMIT
            * nat
            -N KUMA_MESH_X
            -I PREROUTING 1 -j RETURN
            -A OUTPUT -j KUMA_MESH_X
            -I OUTPUT 1 -m comment --comment "kuma/mesh/transparent/proxy/first" -p udp -j RETURN
            -I OUTPUT 2 ! -d 10.0.0.1 -j RETURN
            -A KUMA_MESH_X -p tcp -j REDIRECT --to-ports 15001
            COMMIT
            * mangle
            -A PREROUTING -j DROP
            COMMIT
            """);
  }

  @Test
  void commentsCanBeLeftOut() {
    RuleSet set =
        new RuleSet(
            IpFamily.IPV6,
            List.of(),
            List.of(Rule.append(Chain.NAT_OUTPUT, "note", new Jump.Return())));
    assertThat(set.render(false, false)).isEqualTo("* nat\n-A OUTPUT -j RETURN\nCOMMIT\n");
  }

  @Test
  void rulesMustTargetDeclaredChainsAndCommentsCannotBreakQuoting() {
    assertThatThrownBy(
            () ->
                new RuleSet(
                    IpFamily.IPV4, List.of(), List.of(Rule.append(CUSTOM, "", new Jump.Return()))))
        .hasMessageContaining("undeclared chain KUMA_MESH_X");
    assertThatThrownBy(() -> Rule.append(CUSTOM, "say \"hi\"", new Jump.Return()))
        .hasMessageContaining("expected: no quotes");
  }
}
