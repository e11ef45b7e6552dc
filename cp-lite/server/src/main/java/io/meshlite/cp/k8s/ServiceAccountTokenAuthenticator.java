package io.meshlite.cp.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.tokens.TokenRejected;
import io.meshlite.cp.tokens.dp.ProxyAuthenticator;
import io.meshlite.cp.tokens.dp.ProxyAuthenticators;
import io.meshlite.cp.xds.ProxyId;
import java.util.Optional;

/**
 * Kuma's {@code serviceAccountToken} authentication of proxies (Kubernetes' default): the sidecar
 * presents its pod's ServiceAccount token (the injector points {@code
 * KUMA_DATAPLANE_RUNTIME_TOKEN_PATH} at it); the API server validates it (a TokenReview), and the
 * ServiceAccount it names, {@code system:serviceaccount:<ns>:<sa>}, must be the one the
 * Dataplane's pod runs as, in the pod's namespace. The pod is the Dataplane's name {@code
 * <pod>.<namespace>}. Such tokens do not expire on the stream: the kubelet rotates the file and
 * Envoy re-reads it for every new stream.
 */
public final class ServiceAccountTokenAuthenticator implements ProxyAuthenticator {
  private static final String PREFIX = "system:serviceaccount:";

  private final KubernetesClient client;

  public ServiceAccountTokenAuthenticator(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public String type() {
    return ProxyAuthenticators.SERVICE_ACCOUNT_TOKEN;
  }

  @Override
  public String missingCredential() {
    return "a ServiceAccount token is required: run kuma-dp with KUMA_DATAPLANE_RUNTIME_TOKEN_PATH="
        + SidecarInjector.TOKEN_PATH + " in a pod that mounts its ServiceAccount token (the sidecar injector does both)";
  }

  /**
   * @throws TokenRejected when the token is missing, rejected by the API server, not a
   *     ServiceAccount's, or not the one the pod runs as
   * @throws StoreException.Unavailable when the API server cannot be asked
   */
  @Override
  public Accepted check(String credential, ProxyId proxy, Optional<String> inline) {
    String token = ProxyAuthenticator.bare(credential);
    String name = proxy.name();
    if (token.isEmpty()) {
      throw new TokenRejected("dataplane " + name + " sent no token (" + missingCredential() + ")");
    }
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      throw new TokenRejected(
          "dataplane " + name + " is not named <pod>.<namespace>, so no pod vouches for its ServiceAccount token");
    }
    String podName = name.substring(0, dot);
    String namespace = name.substring(dot + 1);
    Pod pod;
    TokenReview review;
    try {
      pod = client.pods().inNamespace(namespace).withName(podName).get();
      if (pod == null) {
        throw new TokenRejected("pod " + namespace + "/" + podName + " of dataplane " + name + " does not exist");
      }
      review =
          client
              .authentication()
              .v1()
              .tokenReviews()
              .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build());
    } catch (KubernetesClientException e) {
      throw new StoreException.Unavailable(
          "cannot check the ServiceAccount token of dataplane " + name + " with the Kubernetes API server ("
              + e.getCode() + "): check kuma-cp's ClusterRole (pods get, tokenreviews create)", e);
    }
    if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
      String why =
          review.getStatus() == null || review.getStatus().getError() == null ? "" : ": " + review.getStatus().getError();
      throw new TokenRejected("the Kubernetes API server rejected the ServiceAccount token of dataplane " + name + why);
    }
    String user = review.getStatus().getUser() == null ? null : review.getStatus().getUser().getUsername();
    if (user == null || !user.startsWith(PREFIX)) {
      throw new TokenRejected(
          "the token of dataplane " + name + " belongs to \"" + user + "\", not to a ServiceAccount");
    }
    String[] parts = user.substring(PREFIX.length()).split(":", 2);
    String sa =
        pod.getSpec() == null || pod.getSpec().getServiceAccountName() == null || pod.getSpec().getServiceAccountName().isEmpty()
            ? "default"
            : pod.getSpec().getServiceAccountName();
    if (parts.length != 2 || !parts[0].equals(namespace) || !parts[1].equals(sa)) {
      throw new TokenRejected(
          "the token of dataplane " + name + " belongs to " + user
              + ", but pod " + namespace + "/" + podName + " runs as " + PREFIX + namespace + ":" + sa);
    }
    return new Accepted(Optional.empty(), "serviceAccount=" + user);
  }
}
