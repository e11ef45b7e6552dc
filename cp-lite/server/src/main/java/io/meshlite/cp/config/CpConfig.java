package io.meshlite.cp.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The effective configuration of kuma-cp: one record per section, with Kuma's key names (so the
 * record tree serialises to the same JSON/YAML Kuma's {@code GET /config} and config file use).
 * Built only by {@link CpConfigLoader}: built-in {@link #builtIn()} → YAML file → {@code KUMA_*}
 * variables (see {@link ConfigKeys} for the table of every key).
 *
 * @param environment {@code universal} or {@code kubernetes}
 * @param mode {@code zone}, {@code global} or {@code standalone}
 * @param store the resource store
 * @param bootstrapServer parameters of the Envoy bootstrap handed to kuma-dp
 * @param xdsServer xDS timing
 * @param apiServer the REST API
 * @param dpServer the proxy-facing server (bootstrap + ADS)
 * @param diagnostics the health/metrics server
 * @param defaults default resources
 * @param general settings shared by all servers
 * @param runtime environment-specific settings ({@code runtime.kubernetes})
 */
public record CpConfig(
    String environment,
    String mode,
    Store store,
    BootstrapServer bootstrapServer,
    XdsServer xdsServer,
    ApiServer apiServer,
    DpServer dpServer,
    Diagnostics diagnostics,
    Defaults defaults,
    General general,
    Runtime runtime) {

  public CpConfig {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(bootstrapServer, "bootstrapServer");
    Objects.requireNonNull(xdsServer, "xdsServer");
    Objects.requireNonNull(apiServer, "apiServer");
    Objects.requireNonNull(dpServer, "dpServer");
    Objects.requireNonNull(diagnostics, "diagnostics");
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(general, "general");
    Objects.requireNonNull(runtime, "runtime");
  }

  /**
   * @param type memory, sqlite (ours), postgres or kubernetes
   * @param unsafeDelete when true a Mesh can be deleted while Dataplanes are still in it
   * @param cache the read cache
   * @param upsert retry behaviour of upserts on optimistic-lock conflicts
   * @param postgres connection settings for {@code type: postgres}
   * @param sqlite settings for {@code type: sqlite}
   * @param kubernetes settings for {@code type: kubernetes}
   */
  public record Store(
      String type,
      boolean unsafeDelete,
      Cache cache,
      Upsert upsert,
      Postgres postgres,
      Sqlite sqlite,
      KubernetesStore kubernetes) {}

  /** @param systemNamespace where kuma-cp runs and keeps mesh-wide objects and Secrets */
  public record KubernetesStore(String systemNamespace) {}

  /** @param kubernetes settings used when {@code environment: kubernetes} */
  public record Runtime(Kubernetes kubernetes) {}

  /**
   * @param controlPlaneServiceName the Service of kuma-cp; injected sidecars dial {@code
   *     https://<name>.<systemNamespace>:<dpServer.port>}
   * @param admissionServer the webhook server
   * @param injector what the sidecar injector adds to pods
   */
  public record Kubernetes(String controlPlaneServiceName, AdmissionServer admissionServer, Injector injector) {}

  /**
   * @param address interface to bind; empty = all
   * @param port the HTTPS port of the admission webhooks (5443; 0 picks a free one)
   * @param certDir folder with {@code tls.crt} and {@code tls.key}; empty = {@code
   *     general.tlsCertFile}/{@code tlsKeyFile}, else a generated self-signed certificate
   */
  public record AdmissionServer(String address, int port, String certDir) {}

  /**
   * @param caCertFile CA certificate injected as {@code KUMA_CONTROL_PLANE_CA_CERT}; empty = none
   * @param sidecarContainer the kuma-dp container
   * @param initContainer the kuma-init container
   */
  public record Injector(String caCertFile, SidecarContainer sidecarContainer, InitContainer initContainer) {}

  /**
   * @param image kuma-dp image
   * @param redirectPortInbound port Envoy receives redirected inbound traffic on (15006)
   * @param redirectPortOutbound port Envoy receives redirected outbound traffic on (15001)
   * @param uid user kuma-dp (and Envoy) run as; its traffic is not redirected (5678)
   * @param adminPort Envoy admin port (9901)
   */
  public record SidecarContainer(
      String image, int redirectPortInbound, int redirectPortOutbound, int uid, int adminPort) {}

  /** @param image image of the init container that installs the transparent proxy */
  public record InitContainer(String image) {}

  /**
   * @param enabled whether reads are cached
   * @param expirationTime how long a cached read stays valid
   */
  public record Cache(boolean enabled, Duration expirationTime) {}

  /**
   * @param conflictRetryBaseBackoff first backoff between retries (doubles each time)
   * @param conflictRetryMaxTimes how many times an upsert is retried on a version conflict
   */
  public record Upsert(Duration conflictRetryBaseBackoff, int conflictRetryMaxTimes) {}

  /**
   * Postgres connection. {@code password} is a secret: never logged, redacted in {@code /config}.
   *
   * @param host host
   * @param port port
   * @param user user
   * @param password password
   * @param dbName database
   * @param connectionTimeout connect timeout in seconds
   * @param maxOpenConnections pool size
   * @param tls TLS settings
   */
  public record Postgres(
      String host,
      int port,
      String user,
      String password,
      String dbName,
      int connectionTimeout,
      int maxOpenConnections,
      PostgresTls tls) {
    @Override
    public String toString() {
      return "Postgres[host=" + host + ", port=" + port + ", user=" + user + ", dbName=" + dbName + "]";
    }
  }

  /**
   * @param mode disable, verifyNone, verifyCa or verifyFull
   * @param certPath client certificate
   * @param keyPath client key
   * @param caPath root certificate
   */
  public record PostgresTls(String mode, String certPath, String keyPath, String caPath) {}

  /**
   * Our embedded durable store (Kuma has none).
   *
   * @param path the database file; empty means {@code <general.workDir>/kuma-cp.db}
   */
  public record Sqlite(String path) {}

  /** @param params values put into every Envoy bootstrap */
  public record BootstrapServer(BootstrapParams params) {}

  /**
   * @param adminAddress address of the Envoy admin listener
   * @param adminPort default Envoy admin port (used when neither the Dataplane nor kuma-dp sets one)
   * @param adminAccessLogPath access log of the Envoy admin listener
   * @param xdsHost the host Envoy dials for xDS; empty = the host kuma-dp used to reach the CP
   * @param xdsPort the port Envoy dials for xDS; 0 = {@code dpServer.port}
   * @param xdsConnectTimeout connect timeout of the ADS cluster
   */
  public record BootstrapParams(
      String adminAddress,
      int adminPort,
      String adminAccessLogPath,
      String xdsHost,
      int xdsPort,
      Duration xdsConnectTimeout) {}

  /**
   * @param dataplaneConfigurationRefreshInterval safety-net resync period of proxy configs
   * @param dataplaneStatusFlushInterval how often DataplaneInsights are written
   * @param nackBackoff wait before re-sending a config Envoy rejected
   * @param dataplaneDeregistrationDelay wait after disconnect before a self-registered DP is removed
   */
  public record XdsServer(
      Duration dataplaneConfigurationRefreshInterval,
      Duration dataplaneStatusFlushInterval,
      Duration nackBackoff,
      Duration dataplaneDeregistrationDelay) {}

  /**
   * @param http the plain HTTP listener (5681)
   * @param https the TLS listener (5682)
   * @param readOnly when true only GET requests are served
   * @param basePath the path prefix the API is served under
   * @param auth client certificate authentication on the HTTPS listener
   * @param authn how callers authenticate
   */
  public record ApiServer(
      Listener http, TlsListener https, boolean readOnly, String basePath, ApiServerAuth auth, ApiServerAuthn authn) {}

  /** @param clientCertsDir certificates (or their CAs) of admin clients on the HTTPS port; empty = none */
  public record ApiServerAuth(String clientCertsDir) {}

  /**
   * @param type {@code tokens} (user tokens, Kuma's default) or {@code clientCerts} (certificates only)
   * @param localhostIsAdmin callers from 127.0.0.1 or ::1 are admins
   * @param tokens user token settings
   */
  public record ApiServerAuthn(String type, boolean localhostIsAdmin, ApiServerAuthnTokens tokens) {}

  /** @param bootstrapAdminToken write an admin user token to GlobalSecret {@code admin-user-token} at first start */
  public record ApiServerAuthnTokens(boolean bootstrapAdminToken) {}

  /**
   * @param enabled whether the listener is opened
   * @param iface the interface to bind ({@code interface} in YAML)
   * @param port the port; 0 picks a free one (our extension, handy in tests)
   */
  public record Listener(
      boolean enabled,
      @com.fasterxml.jackson.annotation.JsonProperty("interface") String iface,
      int port) {}

  /**
   * @param enabled whether the listener is opened
   * @param iface the interface to bind
   * @param port the port
   * @param tlsCertFile server certificate (PEM)
   * @param tlsKeyFile server key (PEM)
   */
  public record TlsListener(
      boolean enabled,
      @com.fasterxml.jackson.annotation.JsonProperty("interface") String iface,
      int port,
      String tlsCertFile,
      String tlsKeyFile) {}

  /**
   * @param port the port of {@code POST /bootstrap} and ADS; 0 picks a free one
   * @param tlsCertFile server certificate (PEM); empty = {@code general.tlsCertFile}
   * @param tlsKeyFile server key (PEM); empty = {@code general.tlsKeyFile}
   * @param authn how proxies authenticate
   */
  public record DpServer(int port, String tlsCertFile, String tlsKeyFile, DpServerAuthn authn) {}

  /**
   * @param dpProxy authentication of data plane proxies
   * @param enableReloadableTokens hand Envoy the token as a file it reads for every stream, so a
   *     changed token file is used without restarting Envoy (Kuma's default is false, ours true)
   */
  public record DpServerAuthn(DpProxyAuthn dpProxy, boolean enableReloadableTokens) {}

  /** @param type none, dpToken, serviceAccountToken or empty (= by environment) */
  public record DpProxyAuthn(String type) {}

  /**
   * @param serverPort the port of {@code /ready}, {@code /healthy} and {@code /metrics}; 0 picks a
   *     free one
   * @param iface the interface to bind ({@code interface} in YAML; ours, Kuma always binds all)
   * @param debugEndpoints reserved (Go pprof in Kuma)
   */
  public record Diagnostics(
      int serverPort,
      @com.fasterxml.jackson.annotation.JsonProperty("interface") String iface,
      boolean debugEndpoints) {}

  /** @param skipMeshCreation when true the {@code default} Mesh is not created at start */
  public record Defaults(boolean skipMeshCreation) {}

  /**
   * @param workDir where generated files live; empty = {@code $HOME/.kuma}
   * @param tlsCertFile certificate shared by all TLS servers; empty = generated and kept in the store
   * @param tlsKeyFile key shared by all TLS servers
   * @param tlsCaFile CA of a configured certificate, handed to dataplanes; empty = the chain's last
   *     certificate
   * @param tlsExtraSans extra names (comma-separated) of the generated certificate, e.g. the name
   *     or address dataplanes on other hosts dial
   */
  public record General(String workDir, String tlsCertFile, String tlsKeyFile, String tlsCaFile, String tlsExtraSans) {}

  /** Kuma 2.14's built-in defaults (before autoconfiguration fills empty paths). */
  public static CpConfig builtIn() {
    return new CpConfig(
        "universal",
        "zone",
        new Store(
            "memory",
            false,
            new Cache(true, Duration.ofSeconds(1)),
            new Upsert(Duration.ofMillis(100), 5),
            new Postgres(
                "127.0.0.1", 15432, "kuma", "kuma", "kuma", 5, 50,
                new PostgresTls("disable", "", "", "")),
            new Sqlite(""),
        new KubernetesStore("kuma-system")),
        new BootstrapServer(
            new BootstrapParams("127.0.0.1", 9901, "/dev/null", "", 0, Duration.ofSeconds(1))),
        new XdsServer(
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10)),
        new ApiServer(
            new Listener(true, "0.0.0.0", 5681),
            new TlsListener(true, "0.0.0.0", 5682, "", ""),
            false,
            "/",
            new ApiServerAuth(""),
            new ApiServerAuthn("tokens", true, new ApiServerAuthnTokens(true))),
        new DpServer(5678, "", "", new DpServerAuthn(new DpProxyAuthn(""), true)),
        new Diagnostics(5680, "0.0.0.0", false),
        new Defaults(false),
        new General("", "", "", "", ""),
        new Runtime(
            new Kubernetes(
                "kuma-control-plane",
                new AdmissionServer("", 5443, ""),
                new Injector(
                    "",
                    new SidecarContainer("kuma/kuma-dp:latest", 15006, 15001, 5678, 9901),
                    new InitContainer("kuma/kuma-init:latest")))));
  }

  // ---- accessors for wiring (the dataplane server uses these) ----

  /** The port of the dataplane server ({@code dpServer.port}, {@code KUMA_DP_SERVER_PORT}). */
  public int dpServerPort() {
    return dpServer.port();
  }

  /**
   * The host Envoy should dial for xDS, or empty when it should use the host kuma-dp reached the
   * control plane with ({@code bootstrapServer.params.xdsHost}).
   */
  public String xdsHost() {
    return bootstrapServer.params().xdsHost();
  }

  /** The port Envoy dials for xDS: {@code bootstrapServer.params.xdsPort}, else {@code dpServer.port}. */
  public int xdsPort() {
    int p = bootstrapServer.params().xdsPort();
    return p != 0 ? p : dpServer.port();
  }

  /** The Envoy admin port used when neither the Dataplane nor kuma-dp names one (9901). */
  public int defaultAdminPort() {
    return bootstrapServer.params().adminPort();
  }

  /** The working directory (already resolved from {@code $HOME/.kuma} when loaded). */
  public Path workDir() {
    return Path.of(general.workDir());
  }

  /**
   * How proxies authenticate to the dataplane server, resolved as Kuma does when empty: {@code
   * dpToken} on universal, {@code serviceAccountToken} on Kubernetes.
   */
  public String dpProxyAuthType() {
    String t = dpServer.authn().dpProxy().type();
    if (!t.isEmpty()) {
      return t;
    }
    return environment.equals("kubernetes") ? "serviceAccountToken" : "dpToken";
  }

  /** This config as JSON with Kuma's key names and every secret replaced by {@code *****}. */
  public ObjectNode toRedactedJson() {
    return ConfigKeys.redactedJson(this);
  }

  @Override
  public String toString() {
    return toRedactedJson().toString();
  }
}
