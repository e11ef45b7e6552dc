package io.meshlite.cp.vip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VipAllocationTest {
  private static final Ipv4Cidr KUMA = Ipv4Cidr.parse("240.0.0.0/4");
  private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(5);

  private static VipAllocation.Result next(VipTable t, Set<String> services, Instant now) {
    return VipAllocation.next(t, services, KUMA, now, GRACE);
  }

  @Test
  void newServicesGetTheLowestFreeAddressesInNameOrder() {
    VipAllocation.Result r = next(VipTable.EMPTY, Set.of("web", "backend", "db"), T0);

    assertThat(r.table().addresses())
        .containsExactly(
            Map.entry("backend", "240.0.0.1"), Map.entry("db", "240.0.0.2"), Map.entry("web", "240.0.0.3"));
    assertThat(r.allocated()).hasSize(3);
    assertThat(r.released()).isEmpty();
  }

  @Test
  void existingServicesKeepTheirVipsAndGapsAreFilled() {
    VipTable t = next(VipTable.EMPTY, Set.of("a", "b", "c"), T0).table();
    VipTable withoutB = next(t, Set.of("a", "c"), T0).table();
    VipTable released = next(withoutB, Set.of("a", "c"), T0.plus(GRACE)).table();

    VipAllocation.Result r = next(released, Set.of("a", "c", "d"), T0.plus(GRACE));

    assertThat(r.table().addresses())
        .containsExactly(Map.entry("a", "240.0.0.1"), Map.entry("c", "240.0.0.3"), Map.entry("d", "240.0.0.2"));
    assertThat(r.allocated()).containsExactly(Map.entry("d", "240.0.0.2"));
  }

  @Test
  void aVanishedServiceKeepsItsVipForTheGracePeriodThenLosesIt() {
    VipTable t = next(VipTable.EMPTY, Set.of("backend", "web"), T0).table();

    VipAllocation.Result gone = next(t, Set.of("web"), T0.plusSeconds(1));
    assertThat(gone.table().services().get("backend"))
        .isEqualTo(new VipTable.Vip("240.0.0.1", Optional.of(T0.plusSeconds(1))));
    assertThat(gone.released()).isEmpty();

    VipAllocation.Result meanwhileNew = next(gone.table(), Set.of("web", "api"), T0.plusSeconds(60));
    assertThat(meanwhileNew.table().addresses()).containsEntry("api", "240.0.0.3").containsEntry("backend", "240.0.0.1");

    VipAllocation.Result back = next(gone.table(), Set.of("backend", "web"), T0.plusSeconds(120));
    assertThat(back.table().services().get("backend")).isEqualTo(VipTable.Vip.inUse("240.0.0.1"));

    VipAllocation.Result expired = next(gone.table(), Set.of("web"), T0.plusSeconds(1).plus(GRACE));
    assertThat(expired.table().addresses()).containsOnlyKeys("web");
    assertThat(expired.released()).containsExactly("backend");
  }

  @Test
  void nothingChangesWhenNothingChanged() {
    VipTable t = next(VipTable.EMPTY, Set.of("a", "b"), T0).table();

    VipAllocation.Result r = next(t, Set.of("a", "b"), T0.plusSeconds(3600));

    assertThat(r.table()).isEqualTo(t);
    assertThat(r.allocated()).isEmpty();
  }

  @Test
  void addressesOfOtherEntriesAndOutOfRangeVipsAreHandled() {
    TreeMap<String, com.fasterxml.jackson.databind.JsonNode> others = new TreeMap<>();
    others.put("1:host.com", JsonNodeFactory.instance.objectNode().put("address", "240.0.0.1"));
    TreeMap<String, VipTable.Vip> services = new TreeMap<>();
    services.put("old", VipTable.Vip.inUse("10.0.0.1"));
    VipTable t = new VipTable(services, others);

    VipAllocation.Result r = next(t, Set.of("old", "new"), T0);

    assertThat(r.table().addresses()).containsExactly(Map.entry("new", "240.0.0.2"), Map.entry("old", "240.0.0.3"));
    assertThat(r.table().others()).containsOnlyKeys("1:host.com");
    assertThat(r.released()).isEmpty();
  }

  @Test
  void aFullRangeIsReported() {
    Ipv4Cidr tiny = Ipv4Cidr.parse("240.0.0.0/30"); // usable: .1 and .2

    VipAllocation.Result r = VipAllocation.next(VipTable.EMPTY, Set.of("a", "b", "c"), tiny, T0, GRACE);

    assertThat(r.table().addresses()).containsExactly(Map.entry("a", "240.0.0.1"), Map.entry("b", "240.0.0.2"));
    assertThat(r.exhausted()).containsExactly("c");
  }
}
