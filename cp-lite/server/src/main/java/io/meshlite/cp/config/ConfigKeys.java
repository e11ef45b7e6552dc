package io.meshlite.cp.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.time.GoDuration;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The table of every configuration key: its YAML path (Kuma's names), its {@code KUMA_*} variable
 * (explicit, because Kuma's names do not always follow the path) and the kind of value it takes.
 * The loader reads only these keys; everything else in a file or the environment is ignored.
 */
public final class ConfigKeys {

  /** What a key accepts; {@link #normalise} returns the canonical text or throws with what is expected. */
  public sealed interface Kind {
    /** Human description of accepted values, for error messages. */
    String expected();

    /** Checks a raw value and returns the value to store in the config tree. */
    Object normalise(String raw);
  }

  /** Any string. */
  public record Text() implements Kind {
    @Override
    public String expected() {
      return "a string";
    }

    @Override
    public Object normalise(String raw) {
      return raw;
    }
  }

  /** true/false as Go's strconv.ParseBool reads them. */
  public record Bool() implements Kind {
    @Override
    public String expected() {
      return "true or false";
    }

    @Override
    public Object normalise(String raw) {
      return switch (raw) {
        case "1", "t", "T", "true", "TRUE", "True" -> true;
        case "0", "f", "F", "false", "FALSE", "False" -> false;
        default -> throw new IllegalArgumentException();
      };
    }
  }

  /** A whole number in a range. */
  public record Int(int min, int max, String what) implements Kind {
    @Override
    public String expected() {
      return what + " from " + min + " to " + max;
    }

    @Override
    public Object normalise(String raw) {
      int v = Integer.parseInt(raw.trim());
      if (v < min || v > max) {
        throw new IllegalArgumentException();
      }
      return v;
    }
  }

  /** A Go duration. */
  public record GoDur() implements Kind {
    @Override
    public String expected() {
      return "a duration such as 500ms, 1s, 5m or 72h";
    }

    @Override
    public Object normalise(String raw) {
      return GoDuration.format(GoDuration.parseNonNegative(raw));
    }
  }

  /** One of a fixed set of words. */
  public record OneOf(List<String> values) implements Kind {
    public OneOf {
      values = List.copyOf(values);
    }

    @Override
    public String expected() {
      return "one of " + String.join(", ", values.stream().map(v -> v.isEmpty() ? "\"\"" : v).toList());
    }

    @Override
    public Object normalise(String raw) {
      if (!values.contains(raw)) {
        throw new IllegalArgumentException();
      }
      return raw;
    }
  }

  /**
   * One configuration key.
   *
   * @param path the dotted YAML path, e.g. {@code apiServer.http.port}
   * @param env the environment variable, e.g. {@code KUMA_API_SERVER_HTTP_PORT}
   * @param kind what it accepts
   * @param secret true for values never to be logged or shown
   */
  public record Key(String path, String env, Kind kind, boolean secret) {}

  private static final Kind STRING = new Text();
  private static final Kind BOOL = new Bool();
  private static final Kind DURATION = new GoDur();
  private static final Kind PORT = new Int(0, 65535, "a port number");
  private static final Kind COUNT = new Int(0, Integer.MAX_VALUE, "a whole number");

  private static final List<Key> KEYS =
      List.of(
          k("environment", "KUMA_ENVIRONMENT", new OneOf(List.of("universal", "kubernetes"))),
          k("mode", "KUMA_MODE", new OneOf(List.of("zone", "global", "standalone"))),
          k("store.type", "KUMA_STORE_TYPE", new OneOf(List.of("memory", "sqlite", "postgres", "kubernetes"))),
          k("store.unsafeDelete", "KUMA_STORE_UNSAFE_DELETE", BOOL),
          k("store.cache.enabled", "KUMA_STORE_CACHE_ENABLED", BOOL),
          k("store.cache.expirationTime", "KUMA_STORE_CACHE_EXPIRATION_TIME", DURATION),
          k("store.upsert.conflictRetryBaseBackoff", "KUMA_STORE_UPSERT_CONFLICT_RETRY_BASE_BACKOFF", DURATION),
          k("store.upsert.conflictRetryMaxTimes", "KUMA_STORE_UPSERT_CONFLICT_RETRY_MAX_TIMES", COUNT),
          k("store.postgres.host", "KUMA_STORE_POSTGRES_HOST", STRING),
          k("store.postgres.port", "KUMA_STORE_POSTGRES_PORT", PORT),
          k("store.postgres.user", "KUMA_STORE_POSTGRES_USER", STRING),
          new Key("store.postgres.password", "KUMA_STORE_POSTGRES_PASSWORD", STRING, true),
          k("store.postgres.dbName", "KUMA_STORE_POSTGRES_DB_NAME", STRING),
          k("store.postgres.connectionTimeout", "KUMA_STORE_POSTGRES_CONNECTION_TIMEOUT", COUNT),
          k("store.postgres.maxOpenConnections", "KUMA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS", COUNT),
          k(
              "store.postgres.tls.mode",
              "KUMA_STORE_POSTGRES_TLS_MODE",
              new OneOf(List.of("disable", "verifyNone", "verifyCa", "verifyFull"))),
          k("store.postgres.tls.certPath", "KUMA_STORE_POSTGRES_TLS_CERT_PATH", STRING),
          k("store.postgres.tls.keyPath", "KUMA_STORE_POSTGRES_TLS_KEY_PATH", STRING),
          k("store.postgres.tls.caPath", "KUMA_STORE_POSTGRES_TLS_CA_PATH", STRING),
          k("store.sqlite.path", "KUMA_STORE_SQLITE_PATH", STRING),
          k("store.kubernetes.systemNamespace", "KUMA_STORE_KUBERNETES_SYSTEM_NAMESPACE", STRING),
          k("bootstrapServer.params.adminAddress", "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_ADDRESS", STRING),
          k("bootstrapServer.params.adminPort", "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_PORT", PORT),
          k(
              "bootstrapServer.params.adminAccessLogPath",
              "KUMA_BOOTSTRAP_SERVER_PARAMS_ADMIN_ACCESS_LOG_PATH",
              STRING),
          k("bootstrapServer.params.xdsHost", "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_HOST", STRING),
          k("bootstrapServer.params.xdsPort", "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_PORT", PORT),
          k(
              "bootstrapServer.params.xdsConnectTimeout",
              "KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_CONNECT_TIMEOUT",
              DURATION),
          k(
              "xdsServer.dataplaneConfigurationRefreshInterval",
              "KUMA_XDS_SERVER_DATAPLANE_CONFIGURATION_REFRESH_INTERVAL",
              DURATION),
          k(
              "xdsServer.dataplaneStatusFlushInterval",
              "KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL",
              DURATION),
          k("xdsServer.nackBackoff", "KUMA_XDS_SERVER_NACK_BACKOFF", DURATION),
          // Kuma's exception to the naming rule: no _SERVER_ in this one.
          k("xdsServer.dataplaneDeregistrationDelay", "KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY", DURATION),
          k("apiServer.http.enabled", "KUMA_API_SERVER_HTTP_ENABLED", BOOL),
          k("apiServer.http.interface", "KUMA_API_SERVER_HTTP_INTERFACE", STRING),
          k("apiServer.http.port", "KUMA_API_SERVER_HTTP_PORT", PORT),
          k("apiServer.https.enabled", "KUMA_API_SERVER_HTTPS_ENABLED", BOOL),
          k("apiServer.https.interface", "KUMA_API_SERVER_HTTPS_INTERFACE", STRING),
          k("apiServer.https.port", "KUMA_API_SERVER_HTTPS_PORT", PORT),
          k("apiServer.https.tlsCertFile", "KUMA_API_SERVER_HTTPS_TLS_CERT_FILE", STRING),
          k("apiServer.https.tlsKeyFile", "KUMA_API_SERVER_HTTPS_TLS_KEY_FILE", STRING),
          k("apiServer.readOnly", "KUMA_API_SERVER_READ_ONLY", BOOL),
          k("apiServer.basePath", "KUMA_API_SERVER_BASE_PATH", STRING),
          k("apiServer.auth.clientCertsDir", "KUMA_API_SERVER_AUTH_CLIENT_CERTS_DIR", STRING),
          k("apiServer.authn.type", "KUMA_API_SERVER_AUTHN_TYPE", new OneOf(List.of("tokens", "clientCerts"))),
          k("apiServer.authn.localhostIsAdmin", "KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN", BOOL),
          k(
              "apiServer.authn.tokens.bootstrapAdminToken",
              "KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN",
              BOOL),
          k("dpServer.port", "KUMA_DP_SERVER_PORT", PORT),
          k("dpServer.tlsCertFile", "KUMA_DP_SERVER_TLS_CERT_FILE", STRING),
          k("dpServer.tlsKeyFile", "KUMA_DP_SERVER_TLS_KEY_FILE", STRING),
          k(
              "dpServer.authn.dpProxy.type",
              "KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE",
              new OneOf(List.of("", "none", "dpToken", "serviceAccountToken"))),
          k(
              "dpServer.authn.enableReloadableTokens",
              "KUMA_DP_SERVER_AUTHN_ENABLE_RELOADABLE_TOKENS",
              BOOL),
          k("diagnostics.serverPort", "KUMA_DIAGNOSTICS_SERVER_PORT", PORT),
          k("diagnostics.interface", "KUMA_DIAGNOSTICS_INTERFACE", STRING),
          k("diagnostics.debugEndpoints", "KUMA_DIAGNOSTICS_DEBUG_ENDPOINTS", BOOL),
          k("defaults.skipMeshCreation", "KUMA_DEFAULTS_SKIP_MESH_CREATION", BOOL),
          k("general.workDir", "KUMA_GENERAL_WORK_DIR", STRING),
          k("general.tlsCertFile", "KUMA_GENERAL_TLS_CERT_FILE", STRING),
          k("general.tlsKeyFile", "KUMA_GENERAL_TLS_KEY_FILE", STRING),
          k("general.tlsCaFile", "KUMA_GENERAL_TLS_CA_FILE", STRING),
          k("general.tlsExtraSans", "KUMA_GENERAL_TLS_EXTRA_SANS", STRING),
          k(
              "runtime.kubernetes.controlPlaneServiceName",
              "KUMA_RUNTIME_KUBERNETES_CONTROL_PLANE_SERVICE_NAME",
              STRING),
          k(
              "runtime.kubernetes.admissionServer.address",
              "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS",
              STRING),
          k("runtime.kubernetes.admissionServer.port", "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT", PORT),
          k(
              "runtime.kubernetes.admissionServer.certDir",
              "KUMA_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR",
              STRING),
          k("runtime.kubernetes.injector.caCertFile", "KUMA_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE", STRING),
          k(
              "runtime.kubernetes.injector.sidecarContainer.image",
              "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_IMAGE",
              STRING),
          k(
              "runtime.kubernetes.injector.sidecarContainer.redirectPortInbound",
              "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_REDIRECT_PORT_INBOUND",
              PORT),
          k(
              "runtime.kubernetes.injector.sidecarContainer.redirectPortOutbound",
              "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_REDIRECT_PORT_OUTBOUND",
              PORT),
          k(
              "runtime.kubernetes.injector.sidecarContainer.uid",
              "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_UID",
              COUNT),
          k(
              "runtime.kubernetes.injector.sidecarContainer.adminPort",
              "KUMA_RUNTIME_KUBERNETES_INJECTOR_SIDECAR_CONTAINER_ADMIN_PORT",
              PORT),
          // Kuma's exception: no RUNTIME_KUBERNETES_ prefix.
          k("runtime.kubernetes.injector.initContainer.image", "KUMA_INJECTOR_INIT_CONTAINER_IMAGE", STRING));

  /** The text shown instead of a secret. */
  public static final String REDACTED = "*****";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(
              new SimpleModule("go-duration")
                  .addSerializer(Duration.class, new DurationSerializer())
                  .addDeserializer(Duration.class, new DurationDeserializer()))
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .build();

  private ConfigKeys() {}

  private static Key k(String path, String env, Kind kind) {
    return new Key(path, env, kind, false);
  }

  /** Every key, in file order. */
  public static List<Key> all() {
    return KEYS;
  }

  /** Paths of the keys whose values are secrets. */
  static Set<String> secretPaths() {
    return Set.copyOf(KEYS.stream().filter(Key::secret).map(Key::path).toList());
  }

  /** The config as a JSON tree with Kuma's key names (durations in Go syntax). */
  static ObjectNode toJson(CpConfig c) {
    return MAPPER.valueToTree(c);
  }

  /** Builds a config from a JSON tree produced by {@link #toJson} and overlaid by the loader. */
  static CpConfig fromJson(ObjectNode tree) {
    try {
      return MAPPER.treeToValue(tree, CpConfig.class);
    } catch (IOException e) {
      throw new IllegalStateException("config tree does not match CpConfig: " + e.getMessage(), e);
    }
  }

  static ObjectNode redactedJson(CpConfig c) {
    ObjectNode tree = toJson(c);
    for (String p : secretPaths()) {
      update(tree, p, v -> tree.textNode(REDACTED));
    }
    return tree;
  }

  /** Replaces the value at a dotted path (which must exist) in the tree. */
  static void update(ObjectNode tree, String path, UnaryOperator<JsonNode> f) {
    String[] parts = path.split("\\.");
    ObjectNode parent = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = (ObjectNode) parent.get(parts[i]);
    }
    String last = parts[parts.length - 1];
    parent.set(last, f.apply(parent.get(last)));
  }

  private static final class DurationSerializer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeString(GoDuration.format(value));
    }
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return GoDuration.parseNonNegative(p.getValueAsString());
    }
  }
}
