package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshlite.cp.k8s.DataplaneAuthenticator.AuthenticationException;
import io.meshlite.cp.k8s.DataplaneAuthenticator.ProxyIdentity;
import io.meshlite.cp.store.k8s.MockApiServer;
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
    assertThatCode(() -> auth.authenticate("token-web", new ProxyIdentity("default", "web-1.shop")))
        .doesNotThrowAnyException();
    // A pod without serviceAccountName runs as "default".
    assertThatCode(() -> auth.authenticate("token-default", new ProxyIdentity("default", "tools.shop")))
        .doesNotThrowAnyException();
    assertThat(api.tokenReviews()).isEqualTo(2);
  }

  @Test
  void anotherServiceAccountsTokenIsRefused() {
    assertThatThrownBy(() -> auth.authenticate("token-default", new ProxyIdentity("default", "web-1.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("system:serviceaccount:shop:default")
        .hasMessageContaining("runs as system:serviceaccount:shop:web");
    assertThatThrownBy(() -> auth.authenticate("token-other-ns", new ProxyIdentity("default", "web-1.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("system:serviceaccount:billing:web");
  }

  @Test
  void tokensTheApiServerRejectsOrThatAreNotServiceAccountsAreRefused() {
    assertThatThrownBy(() -> auth.authenticate("forged", new ProxyIdentity("default", "web-1.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("rejected the token")
        .hasMessageNotContaining("forged");
    assertThatThrownBy(() -> auth.authenticate("token-human", new ProxyIdentity("default", "web-1.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("not to a ServiceAccount");
    assertThatThrownBy(() -> auth.authenticate(" ", new ProxyIdentity("default", "web-1.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("sent no token");
  }

  @Test
  void aDataplaneWithoutAPodIsRefused() {
    assertThatThrownBy(() -> auth.authenticate("token-web", new ProxyIdentity("default", "ghost.shop")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("pod shop/ghost");
    assertThatThrownBy(() -> auth.authenticate("token-web", new ProxyIdentity("default", "vm-1")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("<pod>.<namespace>");
  }
}
