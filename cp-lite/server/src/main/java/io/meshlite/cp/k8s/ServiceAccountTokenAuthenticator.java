package io.meshlite.cp.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Kuma's {@code serviceAccountToken} authentication: the sidecar presents its pod's ServiceAccount
 * token (injected as {@code KUMA_DATAPLANE_RUNTIME_TOKEN_PATH}); the API server validates it
 * (TokenReview), and the ServiceAccount it names, {@code system:serviceaccount:<ns>:<sa>}, must be
 * the one the Dataplane's pod runs as, in the pod's namespace. The pod is the Dataplane's name
 * {@code <pod>.<namespace>}.
 */
public final class ServiceAccountTokenAuthenticator implements DataplaneAuthenticator {
  private static final String PREFIX = "system:serviceaccount:";

  private final KubernetesClient client;

  public ServiceAccountTokenAuthenticator(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void authenticate(String token, ProxyIdentity proxy) {
    if (token == null || token.isBlank()) {
      throw new AuthenticationException(
          "dataplane " + proxy.name() + " sent no token (kuma-dp needs KUMA_DATAPLANE_RUNTIME_TOKEN_PATH="
              + SidecarInjector.TOKEN_PATH + ")");
    }
    int dot = proxy.name().lastIndexOf('.');
    if (dot <= 0 || dot == proxy.name().length() - 1) {
      throw new AuthenticationException(
          "dataplane " + proxy.name() + " is not named <pod>.<namespace>, so no pod vouches for it");
    }
    String podName = proxy.name().substring(0, dot);
    String namespace = proxy.name().substring(dot + 1);
    Pod pod;
    TokenReview review;
    try {
      pod = client.pods().inNamespace(namespace).withName(podName).get();
      if (pod == null) {
        throw new AuthenticationException("pod " + namespace + "/" + podName + " of dataplane " + proxy.name() + " does not exist");
      }
      review =
          client
              .authentication()
              .v1()
              .tokenReviews()
              .create(new TokenReviewBuilder().withNewSpec().withToken(token.trim()).endSpec().build());
    } catch (KubernetesClientException e) {
      throw new AuthenticationException(
          "cannot check the token of dataplane " + proxy.name() + " with the Kubernetes API server: " + e.getMessage(), e);
    }
    if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
      String why = review.getStatus() == null || review.getStatus().getError() == null ? "" : ": " + review.getStatus().getError();
      throw new AuthenticationException("the Kubernetes API server rejected the token of dataplane " + proxy.name() + why);
    }
    String user = review.getStatus().getUser() == null ? "" : review.getStatus().getUser().getUsername();
    if (user == null || !user.startsWith(PREFIX)) {
      throw new AuthenticationException(
          "the token of dataplane " + proxy.name() + " belongs to \"" + user + "\", not to a ServiceAccount");
    }
    String[] parts = user.substring(PREFIX.length()).split(":", 2);
    String sa = pod.getSpec() == null || pod.getSpec().getServiceAccountName() == null
        ? "default"
        : pod.getSpec().getServiceAccountName();
    if (parts.length != 2 || !parts[0].equals(namespace) || !parts[1].equals(sa)) {
      throw new AuthenticationException(
          "the token of dataplane " + proxy.name() + " belongs to " + user
              + ", but pod " + namespace + "/" + podName + " runs as " + PREFIX + namespace + ":" + sa);
    }
  }
}
