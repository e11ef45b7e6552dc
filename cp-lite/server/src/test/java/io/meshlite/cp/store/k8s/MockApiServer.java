package io.meshlite.cp.store.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshlite.api.k8s.KumaCrds;
import io.meshlite.api.resource.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's Kubernetes mock server in CRUD mode with Kuma's CRDs registered, on a free loopback
 * port, plus a fake TokenReview endpoint (CRUD mode would only store the review): tokens registered
 * with {@link #serviceAccountToken} authenticate as {@code system:serviceaccount:<ns>:<sa>}, every
 * other token is rejected. Tests build the client exactly as kuma-cp does, from {@link #config()}.
 */
public final class MockApiServer implements AutoCloseable {
  private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";

  private final KubernetesMockServer server;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger tokenReviews = new AtomicInteger();
  private boolean closed;

  private MockApiServer() {
    List<CustomResourceDefinitionContext> crds =
        KumaCrds.customResources().stream()
            .map(
                c ->
                    new CustomResourceDefinitionContext.Builder()
                        .withGroup(KumaCrds.GROUP)
                        .withVersion(KumaCrds.VERSION)
                        .withKind(c.kind())
                        .withPlural(c.plural())
                        .withScope(c.scope())
                        .build())
            .toList();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(crds), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
  }

  /** Starts a new, empty API server. */
  public static MockApiServer start() {
    return new MockApiServer();
  }

  /** How kuma-cp's client reaches this server (no kubeconfig, no in-cluster files). */
  public Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(server.url("/"))
        .withNamespace("default")
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000)
        .build();
  }

  /** Makes {@code token} authenticate as the ServiceAccount {@code namespace/name}. */
  public void serviceAccountToken(String token, String namespace, String name) {
    tokens.put(token, "system:serviceaccount:" + namespace + ":" + name);
  }

  /** Makes {@code token} invalid from now on (an expired or rotated-away token). */
  public void forgetToken(String token) {
    tokens.remove(token);
  }

  /** Makes {@code token} authenticate as an arbitrary user (e.g. a human). */
  public void userToken(String token, String username) {
    tokens.put(token, username);
  }

  /** How many TokenReviews were answered. */
  public int tokenReviews() {
    return tokenReviews.get();
  }

  /** Stops the server; idempotent (a test may stop it early to see the API server go away). */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        server.destroy();
      } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
        // fabric8's MockWebServer.shutdown() can time out or race its own Vert.x close on a busy machine
        // (fabric8io/kubernetes-client#7747): a teardown problem of the mock, not of the code under test.
        // Each test starts its own server on a fresh port, so nothing carries over.
        System.err.println("MockApiServer: shutdown of the mock API server did not complete: " + e);
      }
    }
  }

  /** CRUD for everything, a fake authenticator for TokenReviews. */
  private final class Dispatcher extends KubernetesCrudDispatcher {
    Dispatcher(List<CustomResourceDefinitionContext> crds) {
      super(crds);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (request.getPath().startsWith(TOKEN_REVIEWS)) {
        return review(request.getUtf8Body());
      }
      return super.handleCreate(request);
    }

    private MockResponse review(String body) {
      tokenReviews.incrementAndGet();
      ObjectNode review;
      try {
        review = (ObjectNode) Json.mapper().readTree(body);
      } catch (IOException e) {
        return new MockResponse().setResponseCode(400);
      }
      JsonNode token = review.at("/spec/token");
      String user = token.isTextual() ? tokens.get(token.asText()) : null;
      ObjectNode status = review.putObject("status");
      if (user == null) {
        status.put("authenticated", false).put("error", "invalid bearer token");
      } else {
        status.put("authenticated", true);
        ObjectNode u = status.putObject("user");
        u.put("username", user).put("uid", Integer.toHexString(user.hashCode()));
        u.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
      }
      return new MockResponse().setResponseCode(201).setBody(review.toString());
    }
  }
}
