package io.meshlite.cp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.meshlite.api.resource.Json;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.api.testing.Ports;
import io.meshlite.cp.CpMain;
import io.meshlite.cp.LoopbackCpEnv;
import io.meshlite.cp.config.CpConfigLoader;
import io.meshlite.cp.store.k8s.KubernetesStore;
import io.meshlite.cp.store.k8s.MockApiServer;
import io.meshlite.cp.xds.testing.EnvoyProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole control plane in Kubernetes mode ({@code KUMA_ENVIRONMENT=kubernetes}, everything else
 * at its defaults) on fabric8's mock API server: pods become Dataplanes, the VIP table lives in a
 * ConfigMap, and the dataplane server (TLS on the dp-server port) authenticates proxies by their
 * pod's ServiceAccount token, on {@code POST /bootstrap} and on the ADS stream, as Kuma does.
 */
class KubernetesDataplaneServerIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private MockApiServer api;
  private CpMain cp;
  private KubernetesClient kube;
  private HttpClient https;
  private ClientFactory grpcFactory;
  private final List<EnvoyProcess> envoys = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    api = MockApiServer.start();
    KubernetesStore store = KubernetesStore.open(api.config(), "kuma-system", Clock.systemUTC());
    kube = store.client();
    TestCerts certs = TestCerts.create();
    certs.writeTo(dir.resolve("webhook-tls"));
    Map<String, String> env = LoopbackCpEnv.ephemeralPorts(dir);
    env.put("KUMA_ENVIRONMENT", "kubernetes");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS", "127.0.0.1");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", "0");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR", dir.resolve("webhook-tls").toString());
    env.put("KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE", dir.resolve("webhook-tls/ca.crt").toString());
    cp = new CpMain(CpConfigLoader.load(Optional.empty(), env), Clock.systemUTC(), store);
    cp.start();

    X509Certificate ca = cp.security().tls().orElseThrow().ca().get(0);
    https = HttpClient.newBuilder().sslContext(trusting(ca)).build();
    grpcFactory = ClientFactory.builder().tlsCustomizer(b -> b.trustManager(ca)).build();

    kube.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("kuma.io/sidecar-injection", "enabled").endMetadata().build())
        .create();
    meshedPod("web-1", "web", "web", "10.244.0.11");
    meshedPod("backend-1", "backend", "backend", "10.244.0.12");
    service("web", 8080);
    service("backend", 9090);
    api.serviceAccountToken("token-web", "shop", "web");
    api.serviceAccountToken("token-backend", "shop", "backend");
    await().atMost(WAIT).until(() ->
        cp.store().get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "web-1.shop")).isPresent()
            && cp.store().get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "backend-1.shop")).isPresent());
  }

  @AfterEach
  void stop() {
    envoys.forEach(EnvoyProcess::close);
    if (grpcFactory != null) {
      grpcFactory.closeAsync();
    }
    if (cp != null) {
      cp.stop();
    }
    api.close();
  }

  /** A pod as the injector leaves it and the kubelet runs it. */
  private void meshedPod(String name, String app, String serviceAccount, String ip) {
    meshedPod(name, app, serviceAccount, ip, true);
  }

  /**
   * @param transparent with transparent proxying (as injected); without, an Envoy on this machine
   *     only binds the pod's inbound
   */
  private void meshedPod(String name, String app, String serviceAccount, String ip, boolean transparent) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("kuma.io/sidecar-injected", "true");
    if (transparent) {
      annotations.put("kuma.io/transparent-proxying", "enabled");
      annotations.put("kuma.io/transparent-proxying-inbound-port", "15006");
      annotations.put("kuma.io/transparent-proxying-outbound-port", "15001");
    }
    kube.pods()
        .resource(
            new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("shop")
                .addToLabels("app", app).addToLabels("kuma.io/mesh", "default")
                .addToAnnotations(annotations)
                .endMetadata()
                .withNewSpec().withServiceAccountName(serviceAccount)
                .addNewContainer().withName("kuma-sidecar").withImage("kuma/kuma-dp").endContainer()
                .addNewContainer().withName(app).withImage(app).endContainer()
                .endSpec()
                .withNewStatus().withPodIP(ip).endStatus()
                .build())
        .create();
  }

  private void service(String app, int targetPort) {
    kube.services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata().withName(app).withNamespace("shop").endMetadata()
                .withNewSpec().withSelector(Map.of("app", app))
                .addNewPort().withPort(80).withNewTargetPort(targetPort).withAppProtocol("http").endPort().endSpec()
                .build())
        .create();
  }

  private HttpResponse<String> bootstrap(String name, String token) throws Exception {
    return postDp("/bootstrap",
        "{\"mesh\":\"default\",\"name\":\"" + name + "\",\"adminPort\":9901"
            + (token == null ? "" : ",\"dataplaneToken\":\"" + token + "\"") + "}");
  }

  private HttpResponse<String> postDp(String path, String body) throws Exception {
    return https.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cp.dpServer().port() + path))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One ADS stream as Envoy opens it: the token in the authorization metadata, LDS first. */
  private final class Ads implements StreamObserver<DiscoveryResponse> {
    final Map<String, DiscoveryResponse> latest = new ConcurrentHashMap<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final StreamObserver<DiscoveryRequest> requests;

    Ads(String nodeId, String token) {
      AggregatedDiscoveryServiceStub stub =
          GrpcClients.builder("h2://127.0.0.1:" + cp.dpServer().port() + "/")
              .factory(grpcFactory)
              .responseTimeout(Duration.ZERO)
              .build(AggregatedDiscoveryServiceStub.class);
      if (token != null) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), token);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      }
      requests = stub.streamAggregatedResources(this);
      Node node = Node.newBuilder().setId(nodeId).build();
      for (String type : List.of(
          "type.googleapis.com/envoy.config.cluster.v3.Cluster",
          "type.googleapis.com/envoy.config.listener.v3.Listener")) {
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).build());
      }
    }

    List<String> listenerNames() throws Exception {
      DiscoveryResponse r = latest.get("type.googleapis.com/envoy.config.listener.v3.Listener");
      List<String> names = new ArrayList<>();
      if (r != null) {
        for (var any : r.getResourcesList()) {
          names.add(any.unpack(Listener.class).getName());
        }
      }
      return names;
    }

    Status awaitRefusal() {
      await().atMost(WAIT).until(() -> error.get() != null);
      return Status.fromThrowable(error.get());
    }

    @Override
    public void onNext(DiscoveryResponse value) {
      latest.put(value.getTypeUrl(), value);
    }

    @Override
    public void onError(Throwable t) {
      error.compareAndSet(null, t);
    }

    @Override
    public void onCompleted() {
      error.compareAndSet(null, new IllegalStateException("the server completed the stream"));
    }

    void close() {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // already closed by the server
      }
    }
  }

  @Test
  void aProxyWithItsPodsServiceAccountTokenGetsItsBootstrapAndItsConfigurationWithVips() throws Exception {
    HttpResponse<String> b = bootstrap("web-1.shop", "token-web");
    assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
    String envoyBootstrap =
        new String(java.util.Base64.getDecoder().decode(Json.mapper().readTree(b.body()).get("bootstrap").asText()), StandardCharsets.UTF_8);
    assertThat(envoyBootstrap).contains("default.web-1.shop");

    // The VIP table is a ConfigMap in the system namespace, with both services.
    await().atMost(WAIT).untilAsserted(() -> {
      ConfigMap vips = kube.configMaps().inNamespace("kuma-system").withName("kuma-default-dns-vips").get();
      assertThat(vips).as("ConfigMap kuma-system/kuma-default-dns-vips").isNotNull();
      assertThat(vips.getData().get("config")).contains("backend_shop_svc_80").contains("web_shop_svc_80");
    });
    JsonNode table = Json.mapper().readTree(
        kube.configMaps().inNamespace("kuma-system").withName("kuma-default-dns-vips").get().getData().get("config"));
    String backendVip = vipOf(table, "backend_shop_svc_80");
    assertThat(backendVip).startsWith("240.");
    // Every component is ready on this store, the VIP allocator included.
    await().atMost(WAIT).untilAsserted(() -> assertThat(cp.notReady()).isEmpty());

    Ads ads = new Ads("default.web-1.shop", "token-web");
    try {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(ads.error.get()).isNull();
        assertThat(ads.listenerNames()).contains("outbound:" + backendVip + ":80", "outbound:passthrough:ipv4");
      });
      assertThat(cp.dpServer().connectedProxies()).contains("default.web-1.shop");
      assertThat(cp.security().dpServer().authenticatedStreams()).isEqualTo(1);
    } finally {
      ads.close();
    }
  }

  @Test
  void envoyReadsTheTokenFileAsOnAPodAndPicksUpARotatedTokenWithoutARestart() throws Exception {
    int appPort = Ports.free();
    meshedPod("tools-1", "tools", "tools", "127.0.0.1", false);
    service("tools", appPort);
    String first = "eyJhbGciOiJSUzI1NiJ9.c2EtdG9vbHMtMQ.c2ln";
    api.serviceAccountToken(first, "shop", "tools");
    await().atMost(WAIT).until(() -> cp.store().get(ResourceKey.of(ResourceTypes.DATAPLANE, "default", "tools-1.shop")).isPresent());

    // What kuma-dp does with KUMA_DATAPLANE_RUNTIME_TOKEN_PATH: send the token and the file.
    Path tokenFile = dir.resolve("serviceaccount-token");
    Files.writeString(tokenFile, first);
    int admin = Ports.free();
    HttpResponse<String> b =
        postDp("/bootstrap",
            "{\"mesh\":\"default\",\"name\":\"tools-1.shop\",\"adminPort\":" + admin + ",\"dataplaneToken\":\"" + first
                + "\",\"dataplaneTokenPath\":\"" + tokenFile + "\"}");
    assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
    Path bootstrapFile = dir.resolve("envoy-tools-1.json");
    Files.write(bootstrapFile, java.util.Base64.getDecoder().decode(Json.mapper().readTree(b.body()).get("bootstrap").asText()));
    assertThat(Files.readString(bootstrapFile)).contains("envoy.grpc_credentials.file_based_metadata").doesNotContain(first);
    EnvoyProcess envoy = EnvoyProcess.start(bootstrapFile, admin);
    envoys.add(envoy);

    await().atMost(Duration.ofSeconds(60)).until(envoy::ready);
    assertThat(envoy.stat("control_plane.connected_state")).isEqualTo(1);
    assertThat(envoy.admin("/listeners").body()).contains("inbound:127.0.0.1:" + appPort);
    assertThat(cp.dpServer().connectedProxies()).contains("default.tools-1.shop");
    long pid = envoy.pid();

    // The kubelet rotates the token; kuma-dp posts it; the stream is re-opened with the new one.
    String second = "eyJhbGciOiJSUzI1NiJ9.c2EtdG9vbHMtMg.c2ln";
    api.serviceAccountToken(second, "shop", "tools");
    api.forgetToken(first); // from now on only a stream that read the file again gets in
    Files.writeString(tokenFile, second);
    int reviewsBefore = api.tokenReviews();
    HttpResponse<String> reload =
        postDp("/dataplane-token/reload", "{\"mesh\":\"default\",\"name\":\"tools-1.shop\",\"dataplaneToken\":\"" + second + "\"}");
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    assertThat(reload.body()).contains("\"streamsClosed\":1");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        api.tokenReviews() >= reviewsBefore + 2
            && cp.dpServer().connectedProxies().contains("default.tools-1.shop")
            && envoy.stat("control_plane.connected_state") == 1);
    assertThat(envoy.pid()).isEqualTo(pid);
  }

  @Test
  void aTokenReloadTheApiServerCannotCheckIsNotARefusal() throws Exception {
    api.close();

    HttpResponse<String> reload =
        postDp("/dataplane-token/reload", "{\"mesh\":\"default\",\"name\":\"web-1.shop\",\"dataplaneToken\":\"token-web\"}");

    assertThat(reload.statusCode()).isEqualTo(503);
    assertThat(reload.body()).contains("cannot check the ServiceAccount token of dataplane web-1.shop");
  }

  @Test
  void theStreamOfAProxyWhosePodIsDeletedIsClosed() throws Exception {
    Ads ads = new Ads("default.web-1.shop", "token-web");
    await().atMost(WAIT).untilAsserted(() -> assertThat(ads.listenerNames()).isNotEmpty());

    kube.pods().inNamespace("shop").withName("web-1").delete();

    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("pod shop/web-1 of dataplane web-1.shop does not exist");
  }

  @Test
  void theTokenOfAnotherServiceAccountIsRefusedOnBootstrapAndOnTheStream() throws Exception {
    HttpResponse<String> b = bootstrap("web-1.shop", "token-backend");
    assertThat(b.statusCode()).isEqualTo(401);
    assertThat(b.body())
        .contains("system:serviceaccount:shop:backend")
        .contains("pod shop/web-1 runs as system:serviceaccount:shop:web");

    Ads ads = new Ads("default.web-1.shop", "token-backend");
    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("runs as system:serviceaccount:shop:web");
    assertThat(ads.latest).isEmpty();
    assertThat(cp.dpServer().connectedProxies()).doesNotContain("default.web-1.shop");
  }

  @Test
  void aTokenTheApiServerDoesNotKnowIsRefused() throws Exception {
    HttpResponse<String> b = bootstrap("web-1.shop", "forged-token");
    assertThat(b.statusCode()).isEqualTo(401);
    assertThat(b.body()).contains("rejected the ServiceAccount token of dataplane web-1.shop").doesNotContain("forged-token");

    Ads ads = new Ads("default.web-1.shop", "forged-token");
    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("rejected the ServiceAccount token");
    assertThat(ads.latest).isEmpty();
  }

  @Test
  void aProxyWithoutATokenIsToldWhereKumaDpReadsIt() throws Exception {
    HttpResponse<String> b = bootstrap("web-1.shop", null);
    assertThat(b.statusCode()).isEqualTo(422);
    assertThat(b.body()).contains("ServiceAccount token is required").contains("/var/run/secrets/kubernetes.io/serviceaccount/token");

    Ads ads = new Ads("default.web-1.shop", null);
    Status s = ads.awaitRefusal();
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("no dataplane token").contains("ServiceAccount token is required");
    assertThat(ads.latest).isEmpty();
  }

  @Test
  void aDataplaneTokenJwtIsNotAcceptedInKubernetesMode() throws Exception {
    // The default on Kubernetes is serviceAccountToken: a token the API server does not know
    // (here: a dataplane-token JWT, which kuma-cp could sign) proves nothing.
    assertThat(cp.config().dpProxyAuthType()).isEqualTo("serviceAccountToken");
    HttpResponse<String> b = bootstrap("backend-1.shop", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assertThat(b.statusCode()).isEqualTo(401);
    assertThat(b.body()).contains("rejected the ServiceAccount token");
  }

  private static String vipOf(JsonNode table, String service) {
    for (var e : table.properties()) {
      if (e.getKey().contains(service)) {
        return e.getValue().path("address").asText();
      }
    }
    throw new AssertionError("no VIP for " + service + " in " + table);
  }

  private static SSLContext trusting(X509Certificate ca) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
