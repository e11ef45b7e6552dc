package io.meshlite.cp.tokens.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.xds.ProxyId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which credential check {@code dpServer.authn.dpProxy.type} picks, and what it says when none fits. */
class ProxyAuthenticatorsTest {
  private record Fake(String type) implements ProxyAuthenticator {
    @Override
    public String missingCredential() {
      return "give one";
    }

    @Override
    public Accepted check(String token, ProxyId id, Optional<String> inline) {
      return new Accepted(Optional.empty(), type);
    }
  }

  private final ProxyAuthenticator dpToken = new Fake("dpToken");
  private final ProxyAuthenticator serviceAccount = new Fake("serviceAccountToken");

  @Test
  void theConfiguredTypeIsPickedAndNoneMeansNoCheck() {
    ProxyAuthenticators k8s = ProxyAuthenticators.of(List.of(dpToken, serviceAccount));

    assertThat(k8s.select("serviceAccountToken")).containsSame(serviceAccount);
    assertThat(k8s.select("dpToken")).containsSame(dpToken);
    assertThat(k8s.select("none")).isEmpty();
  }

  @Test
  void serviceAccountTokensWithoutTheKubernetesStoreAreAConfigErrorThatSaysWhy() {
    ProxyAuthenticators universal = ProxyAuthenticators.of(List.of(dpToken));

    assertThatThrownBy(() -> universal.select("serviceAccountToken"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "dpServer.authn.dpProxy.type (KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE)=\"serviceAccountToken\" needs the"
                + " Kubernetes store (KUMA_ENVIRONMENT=kubernetes or KUMA_STORE_TYPE=kubernetes) (expected here: dpToken, none)");
    assertThatThrownBy(() -> universal.select("mtls"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"mtls\" is not a known type");
  }

  @Test
  void theFirstCheckOfATypeWins() {
    ProxyAuthenticator other = new Fake("dpToken");
    assertThat(ProxyAuthenticators.of(List.of(dpToken, other)).select("dpToken")).containsSame(dpToken);
  }

  @Test
  void aBearerPrefixIsNotPartOfTheCredential() {
    assertThat(ProxyAuthenticator.bare("  Bearer abc ")).isEqualTo("abc");
    assertThat(ProxyAuthenticator.bare("bearer abc")).isEqualTo("abc");
    assertThat(ProxyAuthenticator.bare(null)).isEmpty();
    assertThat(ProxyAuthenticator.bare("abc")).isEqualTo("abc");
  }
}
