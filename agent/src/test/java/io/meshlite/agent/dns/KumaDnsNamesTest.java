package io.meshlite.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KumaDnsNamesTest {

  @Test
  void aPlainServiceGetsOneName() {
    assertThat(KumaDnsNames.forService("backend")).containsExactly("backend.mesh");
  }

  @Test
  void underscoresGetADottedAliasBesideTheVerbatimName() {
    assertThat(KumaDnsNames.forService("backend_kuma-demo_svc_8080"))
        .containsExactly("backend_kuma-demo_svc_8080.mesh", "backend.kuma-demo.svc.8080.mesh");
  }

  @Test
  void honoursAnotherDomainAndLeavesOtherCharactersAlone() {
    assertThat(KumaDnsNames.forService("Redis.cache", "internal"))
        .containsExactly("Redis.cache.internal");
  }

  @Test
  void bothNamesAreValidTableNames() {
    DnsTable t =
        DnsTable.builder(30)
            .add(KumaDnsNames.forService("backend_kuma-demo_svc_8080").get(0), "240.0.0.1")
            .add(KumaDnsNames.forService("backend_kuma-demo_svc_8080").get(1), "240.0.0.1")
            .build();
    assertThat(t.lookup("BACKEND.kuma-demo.svc.8080.mesh.")).isPresent();
    assertThat(t.lookup("backend_kuma-demo_svc_8080.mesh")).isPresent();
  }

  @Test
  void rejectsEmptyInput() {
    assertThatThrownBy(() -> KumaDnsNames.forService(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KumaDnsNames.forService("a", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
