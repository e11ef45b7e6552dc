package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.store.k8s.MockApiServer;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.xds.ProxyId;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service-account tokens checked with TokenReviews against the mock API server (pods in CRUD mode,
 * TokenReviews answered by its fake authenticator).
 */
class ServiceAccountTokenAuthenticatorIT {
  private MockApiServer api;
  private KubernetesClient client;
  private ServiceAccountTokenAuthenticator auth;

  @BeforeEach
  void start() {
    api = MockApiServer.start();
    client = new KubernetesClientBuilder().withConfig(api.config()).build();
    auth = new ServiceAccountTokenAuthenticator(client);
    client.pods()
        .resource(
            new PodBuilder()
                .withNewMetadata().withName("web-1").withNamespace("shop").endMetadata()
                .withNewSpec().withServiceAccountName("web").addNewContainer().withName("web").endContainer().endSpec()
                .build())
        .create();
    client.pods()
        .resource(
            new PodBuilder()
                .withNewMetadata().withName("tools").withNamespace("shop").endMetadata()
                .withNewSpec().addNewContainer().withName("t").endContainer().endSpec()
                .build())
        .create();
    api.serviceAccountToken("token-web", "shop", "web");
    api.serviceAccountToken("token-default", "shop", "default");
    api.serviceAccountToken("token-other-ns", "billing", "web");
    api.userToken("token-human", "alice@example.com");
  }

  @AfterEach
  void stop() {
    client.close();
    api.close();
  }

  @Test
  void thePodsServiceAccountTokenIsAccepted() {
    assertThatCode(() -> auth.check("token-web", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .doesNotThrowAnyException();
    // A pod without serviceAccountName runs as "default".
    assertThatCode(() -> auth.check("token-default", new ProxyId("default", "tools.shop"), Optional.empty()))
        .doesNotThrowAnyException();
    assertThat(api.tokenReviews()).isEqualTo(2);
  }

  @Test
  void anotherServiceAccountsTokenIsRefused() {
    assertThatThrownBy(() -> auth.check("token-default", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("system:serviceaccount:shop:default")
        .hasMessageContaining("runs as system:serviceaccount:shop:web");
    assertThatThrownBy(() -> auth.check("token-other-ns", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("system:serviceaccount:billing:web");
  }

  @Test
  void tokensTheApiServerRejectsOrThatAreNotServiceAccountsAreRefused() {
    assertThatThrownBy(() -> auth.check("forged", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("rejected the ServiceAccount token")
        .hasMessageNotContaining("forged");
    assertThatThrownBy(() -> auth.check("token-human", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("not to a ServiceAccount");
    assertThatThrownBy(() -> auth.check(" ", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("sent no token");
  }

  @Test
  void aDataplaneWithoutAPodIsRefused() {
    assertThatThrownBy(() -> auth.check("token-web", new ProxyId("default", "ghost.shop"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("pod shop/ghost");
    assertThatThrownBy(() -> auth.check("token-web", new ProxyId("default", "vm-1"), Optional.empty()))
        .isInstanceOf(TokenRejected.class)
        .hasMessageContaining("<pod>.<namespace>");
  }

  @Test
  void theTokenMayComeWithABearerPrefixAndNamesTheServiceAccountInTheLogSubject() {
    assertThat(auth.check("Bearer token-web", new ProxyId("default", "web-1.shop"), Optional.empty()).subject())
        .isEqualTo("serviceAccount=system:serviceaccount:shop:web");
  }

  @Test
  void anApiServerThatCannotBeAskedIsNotARefusal() {
    api.close();
    assertThatThrownBy(() -> auth.check("token-web", new ProxyId("default", "web-1.shop"), Optional.empty()))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("web-1.shop");
  }
}
