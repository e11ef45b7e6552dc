package io.meshlite.cp.dpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DpServerConfigTest {
  @Test
  void defaultsAreKumas() {
    DpServerConfig c = DpServerConfig.defaults();
    assertThat(c.port()).isEqualTo(5678);
    assertThat(c.bindAddress()).isEmpty();
    assertThat(c.xdsHost()).isEmpty();
    assertThat(c.xdsPort()).isZero();
    assertThat(c.adminPort()).isEqualTo(9901);
    assertThat(c.adminAccessLogPath()).isEqualTo("/dev/null");
    assertThat(c.xdsConnectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.reconcileDebounce()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.resyncInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void invalidValuesSayWhatIsExpected() {
    assertThatThrownBy(() -> DpServerConfig.defaults().withPort(70000))
        .hasMessage("port: 70000 (expected: a port from 0 to 65535)");
    assertThatThrownBy(() -> DpServerConfig.defaults().withAdminPort(0))
        .hasMessage("adminPort: 0 (expected: a port from 1 to 65535)");
    assertThatThrownBy(() -> DpServerConfig.defaults().withResyncInterval(Duration.ZERO))
        .hasMessageContaining("resyncInterval: PT0S (expected: a positive duration)");
  }
}
