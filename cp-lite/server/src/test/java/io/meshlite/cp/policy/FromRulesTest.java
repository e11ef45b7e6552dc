package io.meshlite.cp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FromRulesTest {

  private static FromRules.Item<String> item(Map<String, String> tags, String conf) {
    return new FromRules.Item<>(Subset.of(new TreeMap<>(tags)), conf);
  }

  private static List<Rule<String>> build(List<FromRules.Item<String>> items) {
    return FromRules.build(items, (earlier, later) -> later);
  }

  /** The conf a client with these tags gets, by walking the rules as Envoy walks principals. */
  private static String confFor(List<Rule<String>> rules, Map<String, String> client) {
    String found = null;
    for (Rule<String> r : rules) {
      boolean all = true;
      for (Tag t : r.subset().tags()) {
        boolean has = t.value().equals(client.get(t.key()));
        all &= t.not() != has;
      }
      if (all) {
        assertThat(found).as("rules must be disjoint, %s matched twice", client).isNull();
        found = r.conf();
      }
    }
    return found;
  }

  @Test
  void noItemsNoRules() {
    assertThat(build(List.of())).isEmpty();
  }

  @Test
  void meshWideItemIsOneRuleForEveryone() {
    List<Rule<String>> rules = build(List.of(item(Map.of(), "allow")));
    assertThat(rules).containsExactly(new Rule<>(Subset.ALL, "allow"));
  }

  @Test
  void laterItemsOverrideEarlierOnesForTheirClients() {
    List<Rule<String>> rules =
        build(
            List.of(
                item(Map.of(), "deny"),
                item(Map.of("kuma.io/service", "web"), "allow"),
                item(Map.of("kuma.io/service", "web", "version", "v0"), "deny")));
    assertThat(confFor(rules, Map.of("kuma.io/service", "web", "version", "v1"))).isEqualTo("allow");
    assertThat(confFor(rules, Map.of("kuma.io/service", "web"))).isEqualTo("allow");
    assertThat(confFor(rules, Map.of("kuma.io/service", "web", "version", "v0"))).isEqualTo("deny");
    assertThat(confFor(rules, Map.of("kuma.io/service", "other"))).isEqualTo("deny");
    assertThat(rules.get(0).subset().numPositive()).isEqualTo(2);
  }

  @Test
  void anEarlierSpecificItemIsOverriddenByALaterWideOne() {
    List<Rule<String>> rules =
        build(List.of(item(Map.of("kuma.io/service", "web"), "allow"), item(Map.of(), "deny")));
    assertThat(confFor(rules, Map.of("kuma.io/service", "web"))).isEqualTo("deny");
  }

  @Test
  void clientsNoItemMentionsGetNoRule() {
    List<Rule<String>> rules =
        build(List.of(item(Map.of("kuma.io/service", "a"), "allow"), item(Map.of("kuma.io/service", "b"), "deny")));
    assertThat(rules)
        .containsExactly(
            new Rule<>(Subset.of(Map.of("kuma.io/service", "a")), "allow"),
            new Rule<>(Subset.of(Map.of("kuma.io/service", "b")), "deny"));
    assertThat(confFor(rules, Map.of("kuma.io/service", "c"))).isNull();
  }

  @Test
  void overlappingTagSubsetsAreSplitIntoDisjointRules() {
    List<Rule<String>> rules =
        build(List.of(item(Map.of("version", "v1"), "allow"), item(Map.of("zone", "east"), "deny")));
    assertThat(confFor(rules, Map.of("version", "v1", "zone", "east"))).isEqualTo("deny");
    assertThat(confFor(rules, Map.of("version", "v1", "zone", "west"))).isEqualTo("allow");
    assertThat(confFor(rules, Map.of("version", "v2", "zone", "east"))).isEqualTo("deny");
    assertThat(confFor(rules, Map.of("version", "v2"))).isNull();
  }

  @Test
  void tooManyTagsAreRefused() {
    List<FromRules.Item<String>> items = new ArrayList<>();
    items.add(item(Map.of(), "x"));
    for (int i = 0; i <= FromRules.MAX_TAGS; i++) {
      items.add(item(Map.of("t" + i, "v"), "y"));
    }
    assertThatThrownBy(() -> build(items)).hasMessageContaining("distinct client tags");
  }
}
