package io.meshlite.cp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpConfigLoaderTest {
  private static final Map<String, String> HOME = Map.of("HOME", "/home/kuma");

  @TempDir Path dir;

  @Test
  void builtInDefaultsAreKumas() {
    CpConfig c = CpConfigLoader.load(Optional.empty(), HOME);

    assertThat(c.environment()).isEqualTo("universal");
    assertThat(c.mode()).isEqualTo("zone");
    assertThat(c.store().type()).isEqualTo("memory");
    assertThat(c.store().unsafeDelete()).isFalse();
    assertThat(c.store().cache()).isEqualTo(new CpConfig.Cache(true, Duration.ofSeconds(1)));
    assertThat(c.store().upsert()).isEqualTo(new CpConfig.Upsert(Duration.ofMillis(100), 5));
    assertThat(c.store().postgres())
        .isEqualTo(
            new CpConfig.Postgres(
                "127.0.0.1", 15432, "kuma", "kuma", "kuma", 5, 50,
                new CpConfig.PostgresTls("disable", "", "", "")));
    assertThat(c.store().sqlite().path()).isEqualTo("/home/kuma/.kuma/kuma-cp.db");
    assertThat(c.bootstrapServer().params())
        .isEqualTo(new CpConfig.BootstrapParams("127.0.0.1", 9901, "/dev/null", "", 0, Duration.ofSeconds(1)));
    assertThat(c.xdsServer())
        .isEqualTo(
            new CpConfig.XdsServer(
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10)));
    assertThat(c.apiServer().http()).isEqualTo(new CpConfig.Listener(true, "0.0.0.0", 5681));
    assertThat(c.apiServer().https()).isEqualTo(new CpConfig.TlsListener(true, "0.0.0.0", 5682, "", ""));
    assertThat(c.apiServer().readOnly()).isFalse();
    assertThat(c.apiServer().basePath()).isEqualTo("/");
    assertThat(c.dpServer().port()).isEqualTo(5678);
    assertThat(c.dpServer().tlsCertFile()).isEmpty();
    assertThat(c.dpServer().tlsKeyFile()).isEmpty();
    assertThat(c.dpServer().authn().dpProxy().type()).isEmpty();
    assertThat(c.diagnostics()).isEqualTo(new CpConfig.Diagnostics(5680, "0.0.0.0", false));
    assertThat(c.defaults().skipMeshCreation()).isFalse();
    assertThat(c.general()).isEqualTo(new CpConfig.General("/home/kuma/.kuma", "", "", "", ""));
    assertThat(c.apiServer().auth()).isEqualTo(new CpConfig.ApiServerAuth(""));
    assertThat(c.apiServer().authn())
        .isEqualTo(new CpConfig.ApiServerAuthn("tokens", true, new CpConfig.ApiServerAuthnTokens(true)));
    assertThat(c.dpServer().authn().enableReloadableTokens()).isTrue();

    // Accessors the dataplane server wires from.
    assertThat(c.dpServerPort()).isEqualTo(5678);
    assertThat(c.xdsHost()).isEmpty();
    assertThat(c.xdsPort()).isEqualTo(5678);
    assertThat(c.defaultAdminPort()).isEqualTo(9901);
    assertThat(c.dpProxyAuthType()).isEqualTo("dpToken");
    assertThat(c.workDir()).isEqualTo(Path.of("/home/kuma/.kuma"));
  }

  @Test
  void everyKeyHasItsKumaEnvironmentVariable() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("environment", "KUMA_ENVIRONMENT");
    expected.put("mode", "KUMA_MODE");
    expected.put("store.type", "KUMA_STORE_TYPE");
    expected.put("store.unsafeDelete", "KUMA_STORE_UNSAFE_DELETE");
    expected.put("store.cache.enabled", "KUMA_STORE_CACHE_ENABLED");
    expected.put("store.cache.expirationTime", "KUMA_STORE_CACHE_EXPIRATION_TIME");
    expected.put("store.upsert.conflictRetryBaseBackoff", "KUMA_STORE_UPSERT_CONFLICT_RETRY_BASE_BACKOFF");
    expected.put("store.upsert.conflictRetryMaxTimes", "KUMA_STORE_UPSERT_CONFLICT_RETRY_MAX_TIMES");
    expected.put("store.postgres.host", "KUMA_STORE_POSTGRES_HOST");
    expected.put("store.postgres.port", "KUMA_STORE_POSTGRES_PORT");
    expected.put("store.postgres.user", "KUMA_STORE_POSTGRES_USER");
    expected.put("store.postgres.password", "KUMA_STORE_POSTGRES_PASSWORD");
    expected.put("store.postgres.dbName", "KUMA_STORE_POSTGRES_DB_NAME");
    expected.put("store.postgres.connectionTimeout", "KUMA_STORE_POSTGRES_CONNECTION_TIMEOUT");
    expected.put("store.postgres.maxOpenConnections", "KUMA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS");
    expected.put("store.postgres.tls.mode", "KUMA_STORE_POSTGRES_TLS_MODE");
    expected.put("store.postgres.tls.certPath", "KUMA_STORE_POSTGRES_TLS_CERT_PATH");
    expected.put("store.postgres.tls.keyPath", "KUMA_STORE_POSTGRES_TLS_KEY_PATH");
    expected.put("store.postgres.tls.caPath", "KUMA_STORE_POSTGRES_TLS_CA_PATH");
    expected.put("store.sqlite.path", "KUMA_STORE_SQLITE_PATH");
    expected.put("store.kubernetes.systemNamespace", "KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE");
    expected.put("bootstrapServer.params.adminAddress", "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_ADDRESS");
    expected.put("bootstrapServer.params.adminPort", "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_PORT");
    expected.put("bootstrapServer.params.adminAccessLogPath", "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_ACCESS_LOG_PATH");
    expected.put("bootstrapServer.params.xdsHost", "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_HOST");
    expected.put("bootstrapServer.params.xdsPort", "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_PORT");
    expected.put("bootstrapServer.params.xdsConnectTimeout", "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_CONNECT_TIMEOUT");
    expected.put(
        "xdsServer.dataplaneConfigurationRefreshInterval", "KUMA_XDS_SERVER_DATAPLANE_CONFIGURATION_REFRESH_INTERVAL");
    expected.put("xdsServer.dataplaneStatusFlushInterval", "KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL");
    expected.put("xdsServer.nackBackoff", "KUMA_XDS_SERVER_NACK_BACKOFF");
    expected.put("xdsServer.dataplaneDeregistrationDelay", "KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY");
    expected.put("apiServer.http.enabled", "KUMA_API_SERVER_HTTP_ENABLED");
    expected.put("apiServer.http.interface", "KUMA_API_SERVER_HTTP_INTERFACE");
    expected.put("apiServer.http.port", "KUMA_API_SERVER_HTTP_PORT");
    expected.put("apiServer.https.enabled", "KUMA_API_SERVER_HTTPS_ENABLED");
    expected.put("apiServer.https.interface", "KUMA_API_SERVER_HTTPS_INTERFACE");
    expected.put("apiServer.https.port", "KUMA_API_SERVER_HTTPS_PORT");
    expected.put("apiServer.https.tlsCertFile", "KUMA_API_SERVER_HTTPS_TLS_CERT_FILE");
    expected.put("apiServer.https.tlsKeyFile", "KUMA_API_SERVER_HTTPS_TLS_KEY_FILE");
    expected.put("apiServer.readOnly", "KUMA_API_SERVER_READ_ONLY");
    expected.put("apiServer.basePath", "KUMA_API_SERVER_BASE_PATH");
    expected.put("apiServer.auth.clientCertsDir", "KUMA_API_SERVER_AUTH_CLIENT_CERTS_DIR");
    expected.put("apiServer.authn.type", "KUMA_API_SERVER_AUTHN_TYPE");
    expected.put("apiServer.authn.localhostIsAdmin", "KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN");
    expected.put("apiServer.authn.tokens.bootstrapAdminToken", "KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN");
    expected.put("dpServer.port", "KUMA_DP_SERVER_PORT");
    expected.put("dpServer.tlsCertFile", "KUMA_DP_SERVER_TLS_CERT_FILE");
    expected.put("dpServer.tlsKeyFile", "KUMA_DP_SERVER_TLS_KEY_FILE");
    expected.put("dpServer.authn.dpProxy.type", "KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE");
    expected.put("dpServer.authn.enableReloadableTokens", "KUMA_DP_SERVER_AUTHN_ENABLE_RELOADABLE_TOKENS");
    expected.put("diagnostics.serverPort", "KUMA_DIAGNOSTICS_SERVER_PORT");
    expected.put("diagnostics.interface", "KUMA_DIAGNOSTICS_INTERFACE");
    expected.put("diagnostics.debugEndpoints", "KUMA_DIAGNOSTICS_DEBUG_ENDPOINTS");
    expected.put("defaults.skipMeshCreation", "KUMA_DEFAULTS_SKIP_MESH_CREATION");
    expected.put("general.workDir", "KUMA_GENERAL_WORK_DIR");
    expected.put("general.tlsCertFile", "KUMA_GENERAL_TLS_CERT_FILE");
    expected.put("general.tlsKeyFile", "KUMA_GENERAL_TLS_KEY_FILE");
    expected.put("general.tlsCaFile", "KUMA_GENERAL_TLS_CA_FILE");
    expected.put("general.tlsExtraSans", "KUMA_GENERAL_TLS_EXTRA_SANS");
    expected.put("runtime.kubernetes.controlPlaneServiceName", "KUMA_RUNTIME_KUBERNETES_CONTROL_PLANE_SERVICE_NAME");
    expected.put("runtime.kubernetes.admissionServer.address", "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS");
    expected.put("runtime.kubernetes.admissionServer.port", "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT");
    expected.put("runtime.kubernetes.admissionServer.certDir", "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR");
    expected.put("runtime.kubernetes.injector.caCertFile", "KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE");
    expected.put(
        "runtime.kubernetes.injector.sidecarContainer.image", "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE");
    expected.put(
        "runtime.kubernetes.injector.sidecarContainer.redirectPortInbound",
        "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_REDIRECT_PORT_INBOUND");
    expected.put(
        "runtime.kubernetes.injector.sidecarContainer.redirectPortOutbound",
        "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_REDIRECT_PORT_OUTBOUND");
    expected.put(
        "runtime.kubernetes.injector.sidecarContainer.uid", "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_UID");
    expected.put(
        "runtime.kubernetes.injector.sidecarContainer.adminPort",
        "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_ADMIN_PORT");
    expected.put("runtime.kubernetes.injector.initContainer.image", "KUMA_INJECTOR_INIT_CONTAINER_IMAGE");

    Map<String, String> actual = new LinkedHashMap<>();
    ConfigKeys.all().forEach(k -> actual.put(k.path(), k.env()));
    assertThat(actual).containsExactlyEntriesOf(expected);
  }

  @Test
  void theTableCoversEveryLeafOfTheConfig() {
    List<String> leaves = new ArrayList<>();
    collectLeaves(ConfigKeys.toJson(CpConfig.builtIn()), "", leaves);
    assertThat(leaves)
        .containsExactlyInAnyOrderElementsOf(ConfigKeys.all().stream().map(ConfigKeys.Key::path).toList());
  }

  @Test
  void shippedDefaultsFileChangesNothingAndNamesEveryKey() throws IOException {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/kuma-cp.defaults.yaml")) {
      assertThat(in).as("kuma-cp.defaults.yaml on the classpath").isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = Files.writeString(dir.resolve("kuma-cp.conf.yaml"), text);

    assertThat(CpConfigLoader.load(Optional.of(file), HOME))
        .isEqualTo(CpConfigLoader.load(Optional.empty(), HOME));
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      assertThat(text).as("documented env of " + k.path()).contains("# ENV: " + k.env() + "\n");
    }
  }

  @Test
  void environmentOverridesEveryKindOfValue() {
    Map<String, String> env = new LinkedHashMap<>(HOME);
    env.put("KUMA_API_SERVER_HTTP_PORT", "15681");
    env.put("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KUMA_DP_SERVER_PORT", "15678");
    env.put("KUMA_DIAGNOSTICS_SERVER_PORT", "15680");
    env.put("KUMA_DEFAULTS_SKIP_MESH_CREATION", "true");
    env.put("KUMA_GENERAL_WORK_DIR", "/var/lib/kuma");
    env.put("KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_PORT", "19901");
    env.put("KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_HOST", "cp.example");
    env.put("KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_PORT", "25678");
    env.put("KUMA_STORE_CACHE_EXPIRATION_TIME", "500ms");
    env.put("KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY", "1m30s");
    env.put("KUMA_STORE_POSTGRES_TLS_MODE", "verifyFull");
    env.put("KUMA_STORE_SQLITE_PATH", "/data/cp.db");
    env.put("KUMA_API_SERVER_READ_ONLY", "1");
    env.put("KUMA_NOT_A_SETTING", "ignored");

    CpConfig c = CpConfigLoader.load(Optional.empty(), env);

    assertThat(c.apiServer().http()).isEqualTo(new CpConfig.Listener(true, "127.0.0.1", 15681));
    assertThat(c.dpServerPort()).isEqualTo(15678);
    assertThat(c.diagnostics().serverPort()).isEqualTo(15680);
    assertThat(c.defaults().skipMeshCreation()).isTrue();
    assertThat(c.workDir()).isEqualTo(Path.of("/var/lib/kuma"));
    assertThat(c.defaultAdminPort()).isEqualTo(19901);
    assertThat(c.xdsHost()).isEqualTo("cp.example");
    assertThat(c.xdsPort()).isEqualTo(25678);
    assertThat(c.store().cache().expirationTime()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.xdsServer().dataplaneDeregistrationDelay()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.store().postgres().tls().mode()).isEqualTo("verifyFull");
    assertThat(c.store().sqlite().path()).isEqualTo("/data/cp.db");
    assertThat(c.apiServer().readOnly()).isTrue();
  }

  @Test
  void yamlFileOverridesDefaultsAndEnvironmentOverridesTheFile() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("cp.yaml"),
            """
            store:
              type: memory
              postgres:
                port: 5432
            apiServer:
              http:
                port: 7681
                interface: 127.0.0.1
            diagnostics:
              serverPort: 7680
            xdsServer:
              nackBackoff: 2s
            someFutureSection:
              anything: [1, 2]
            multizone:
              zone:
                name: zone-1
            """);

    CpConfig fromFile = CpConfigLoader.load(Optional.of(file), HOME);
    assertThat(fromFile.store().postgres().port()).isEqualTo(5432);
    assertThat(fromFile.apiServer().http()).isEqualTo(new CpConfig.Listener(true, "127.0.0.1", 7681));
    assertThat(fromFile.diagnostics().serverPort()).isEqualTo(7680);
    assertThat(fromFile.xdsServer().nackBackoff()).isEqualTo(Duration.ofSeconds(2));

    Map<String, String> env = new LinkedHashMap<>(HOME);
    env.put("KUMA_API_SERVER_HTTP_PORT", "8681");
    CpConfig both = CpConfigLoader.load(Optional.of(file), env);
    assertThat(both.apiServer().http().port()).isEqualTo(8681);
    assertThat(both.diagnostics().serverPort()).isEqualTo(7680);
  }

  @Test
  void invalidEnvironmentValueStopsWithOneLineNamingKeyValueAndExpectation() {
    Map<String, String> env = new LinkedHashMap<>(HOME);
    env.put("KUMA_API_SERVER_HTTP_PORT", "abc");

    assertThatThrownBy(() -> CpConfigLoader.load(Optional.empty(), env))
        .isInstanceOf(ConfigException.class)
        .hasMessage("KUMA_API_SERVER_HTTP_PORT=\"abc\" is not valid (expected: a port number from 0 to 65535)");
  }

  @Test
  void otherInvalidValuesAreReportedTheSameWay() throws IOException {
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.empty(), Map.of("KUMA_DP_SERVER_PORT", "70000")))
        .hasMessageContaining("KUMA_DP_SERVER_PORT=\"70000\"")
        .hasMessageContaining("from 0 to 65535");
    assertThatThrownBy(
            () -> CpConfigLoader.load(Optional.empty(), Map.of("KUMA_STORE_CACHE_EXPIRATION_TIME", "5 minutes")))
        .hasMessageContaining("KUMA_STORE_CACHE_EXPIRATION_TIME=\"5 minutes\"")
        .hasMessageContaining("a duration such as");
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.empty(), Map.of("KUMA_STORE_TYPE", "mysql")))
        .hasMessage("KUMA_STORE_TYPE=\"mysql\" is not valid (expected: one of memory, sqlite, postgres, kubernetes)");
    assertThatThrownBy(
            () -> CpConfigLoader.load(Optional.empty(), Map.of("KUMA_DEFAULTS_SKIP_MESH_CREATION", "yes")))
        .hasMessageContaining("expected: true or false");

    Path bad = Files.writeString(dir.resolve("bad.yaml"), "apiServer:\n  http:\n    port: [1]\n");
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.of(bad), HOME))
        .isInstanceOf(ConfigException.class)
        .hasMessage("apiServer.http.port in " + bad + ": [1] (expected: a port number from 0 to 65535)");
    Path badDuration = Files.writeString(dir.resolve("dur.yaml"), "xdsServer:\n  nackBackoff: soon\n");
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.of(badDuration), HOME))
        .hasMessageContaining("xdsServer.nackBackoff in " + badDuration + ": \"soon\" is not valid");
    Path notYaml = Files.writeString(dir.resolve("broken.yaml"), "store: [unclosed\n");
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.of(notYaml), HOME))
        .hasMessageContaining("is not valid YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.of(dir.resolve("missing.yaml")), HOME))
        .hasMessageContaining("does not exist");
    Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.of(list), HOME))
        .hasMessageContaining("must be a YAML mapping");
  }

  @Test
  void kubernetesModeSettingsHaveKumasDefaultsAndVariables() {
    CpConfig d = CpConfigLoader.load(Optional.empty(), HOME);
    assertThat(d.store().kubernetes().systemNamespace()).isEqualTo("kuma-system");
    assertThat(d.runtime().kubernetes().controlPlaneServiceName()).isEqualTo("kuma-control-plane");
    assertThat(d.runtime().kubernetes().admissionServer()).isEqualTo(new CpConfig.AdmissionServer("", 5443, ""));
    assertThat(d.runtime().kubernetes().injector().sidecarContainer())
        .isEqualTo(new CpConfig.SidecarContainer("kuma/kuma-dp:latest", 15006, 15001, 5678, 9901));

    Map<String, String> env = new LinkedHashMap<>(HOME);
    env.put("KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE", "mesh-system");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", "8443");
    env.put("KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR", "/certs");
    env.put("KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE", "registry.local/kuma-dp:0.1");
    env.put("KUMA_INJECTOR_INIT_CONTAINER_IMAGE", "registry.local/kuma-init:0.1");
    CpConfig c = CpConfigLoader.load(Optional.empty(), env);
    assertThat(c.store().kubernetes().systemNamespace()).isEqualTo("mesh-system");
    assertThat(c.runtime().kubernetes().admissionServer()).isEqualTo(new CpConfig.AdmissionServer("", 8443, "/certs"));
    assertThat(c.runtime().kubernetes().injector().sidecarContainer().image()).isEqualTo("registry.local/kuma-dp:0.1");
    assertThat(c.runtime().kubernetes().injector().initContainer().image()).isEqualTo("registry.local/kuma-init:0.1");
  }

  @Test
  void secretsAreRedactedInJsonAndToString() {
    CpConfig c =
        CpConfigLoader.load(Optional.empty(), Map.of("KUMA_STORE_POSTGRES_PASSWORD", "s3cr3t", "HOME", "/h"));

    assertThat(c.store().postgres().password()).isEqualTo("s3cr3t");
    JsonNode json = c.toRedactedJson();
    assertThat(json.at("/store/postgres/password").asText()).isEqualTo("*****");
    assertThat(json.at("/apiServer/http/interface").asText()).isEqualTo("0.0.0.0");
    assertThat(json.at("/xdsServer/dataplaneStatusFlushInterval").asText()).isEqualTo("10s");
    assertThat(c.toString()).doesNotContain("s3cr3t");
    assertThat(c.store().postgres().toString()).doesNotContain("s3cr3t");
  }

  @Test
  void xdsPortFallsBackToTheDpServerPortAndAuthFollowsEnvironment() {
    CpConfig c = CpConfigLoader.load(Optional.empty(), Map.of("KUMA_DP_SERVER_PORT", "6678"));
    assertThat(c.xdsPort()).isEqualTo(6678);
    CpConfig k8s = CpConfigLoader.load(Optional.empty(), Map.of("KUMA_ENVIRONMENT", "kubernetes"));
    assertThat(k8s.dpProxyAuthType()).isEqualTo("serviceAccountToken");
    CpConfig none = CpConfigLoader.load(Optional.empty(), Map.of("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE", "none"));
    assertThat(none.dpProxyAuthType()).isEqualTo("none");
  }

  @Test
  void basePathMustBeAPath() {
    assertThatThrownBy(() -> CpConfigLoader.load(Optional.empty(), Map.of("KUMA_API_SERVER_BASE_PATH", "api")))
        .hasMessageContaining("KUMA_API_SERVER_BASE_PATH")
        .hasMessageContaining("a path starting with /");
  }

  private static void collectLeaves(JsonNode n, String prefix, List<String> out) {
    if (!n.isObject()) {
      out.add(prefix);
      return;
    }
    n.properties().forEach(e -> collectLeaves(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out));
  }
}
