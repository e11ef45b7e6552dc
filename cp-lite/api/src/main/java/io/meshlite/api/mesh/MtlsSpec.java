package io.meshlite.api.mesh;

import static io.meshlite.api.validation.Violations.index;
import static io.meshlite.api.validation.Violations.path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.time.GoDuration;
import io.meshlite.api.validation.Violations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Typed, validated view of a Mesh's {@code mtls} section (Kuma 2.14): the certificate authority
 * backends and which one is enabled. A {@code builtin} backend has a CA generated and stored by the
 * control plane; a {@code provided} backend takes the CA certificate and key from data sources.
 *
 * @param enabledBackend {@code mtls.enabledBackend}; empty when mTLS is off
 * @param backends {@code mtls.backends[]}
 */
public record MtlsSpec(Optional<String> enabledBackend, List<Backend> backends) {

  /** Default lifetime of dataplane certificates ({@code dpCert.rotation.expiration}). */
  public static final Duration DEFAULT_DP_CERT_EXPIRATION = Duration.ofHours(24);

  /** Default RSA key size of a builtin CA ({@code conf.caCert.RSAbits}). */
  public static final int DEFAULT_CA_RSA_BITS = 2048;

  /** Default lifetime of a builtin CA ({@code conf.caCert.expiration}): 10 years. */
  public static final Duration DEFAULT_CA_EXPIRATION = Duration.ofDays(3650);

  /** Mode of the inbound listeners once mTLS is on. */
  public enum Mode {
    /** Only mutual-TLS traffic from the mesh is accepted. */
    STRICT,
    /** Plaintext is accepted beside mutual TLS (for migrations). */
    PERMISSIVE
  }

  public MtlsSpec {
    Objects.requireNonNull(enabledBackend, "enabledBackend");
    backends = List.copyOf(backends);
  }

  /**
   * One CA backend.
   *
   * @param name the backend name
   * @param type {@code builtin} or {@code provided}
   * @param mode STRICT (default) or PERMISSIVE
   * @param dpCertExpiration lifetime of the dataplane certificates it issues
   * @param builtin settings of a builtin CA (present when {@code type} is builtin)
   * @param provided data sources of a provided CA (present when {@code type} is provided)
   */
  public record Backend(
      String name,
      String type,
      Mode mode,
      Duration dpCertExpiration,
      Optional<BuiltinConf> builtin,
      Optional<ProvidedConf> provided) {
    public Backend {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(dpCertExpiration, "dpCertExpiration");
      Objects.requireNonNull(builtin, "builtin");
      Objects.requireNonNull(provided, "provided");
    }
  }

  /**
   * {@code conf} of a builtin backend.
   *
   * @param rsaBits {@code caCert.RSAbits}, 2048 by default
   * @param caExpiration {@code caCert.expiration}, 10 years by default
   */
  public record BuiltinConf(int rsaBits, Duration caExpiration) {}

  /**
   * {@code conf} of a provided backend.
   *
   * @param cert the CA certificate (PEM, possibly a chain)
   * @param key the CA private key (PEM)
   */
  public record ProvidedConf(DataSource cert, DataSource key) {}

  /**
   * Kuma's DataSource: exactly one of a mesh Secret's name, a file path, base64 bytes or a string.
   *
   * @param kind which source
   * @param value the Secret name, the file path, or the inline content (decoded)
   */
  public record DataSource(Kind kind, String value) {
    /** The kinds of data source. */
    public enum Kind {
      SECRET,
      FILE,
      INLINE,
      INLINE_STRING
    }

    @Override
    public String toString() {
      // Inline content may be a private key: never print it.
      return switch (kind) {
        case SECRET -> "secret " + value;
        case FILE -> "file " + value;
        case INLINE, INLINE_STRING -> "inline data";
      };
    }
  }

  /** The enabled backend, if mTLS is on. */
  public Optional<Backend> enabled() {
    return enabledBackend.flatMap(n -> backends.stream().filter(b -> b.name().equals(n)).findFirst());
  }

  /**
   * Parses and validates the {@code mtls} section of a Mesh spec, reporting every problem with its
   * path ({@code mtls.backends[0].conf.caCert.RSAbits}, ...).
   *
   * @throws io.meshlite.api.validation.ValidationException listing every problem
   */
  public static MtlsSpec parse(ObjectNode meshSpec) {
    Violations v = new Violations();
    JsonNode mtls = meshSpec.get("mtls");
    if (mtls == null || mtls.isNull()) {
      return new MtlsSpec(Optional.empty(), List.of());
    }
    if (!mtls.isObject()) {
      v.add("mtls", "must be a mapping");
      v.throwIfAny("Resource is not valid");
    }
    List<Backend> backends = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode list = mtls.get("backends");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        v.add("mtls.backends", "must be a list");
      } else {
        for (int i = 0; i < list.size(); i++) {
          Backend b = backend(list.get(i), index("mtls.backends", i), names, v);
          if (b != null) {
            backends.add(b);
          }
        }
      }
    }
    Optional<String> enabled = Optional.empty();
    JsonNode eb = mtls.get("enabledBackend");
    if (eb != null && !eb.isNull() && !eb.isTextual()) {
      v.add("mtls.enabledBackend", "must be a string");
    } else if (eb != null && !eb.asText("").isEmpty()) {
      if (!names.contains(eb.asText())) {
        v.add("mtls.enabledBackend", "has to be set to one of the backends in the mesh");
      }
      enabled = Optional.of(eb.asText());
    }
    v.throwIfAny("Resource is not valid");
    return new MtlsSpec(enabled, backends);
  }

  private static Backend backend(JsonNode b, String p, Set<String> names, Violations v) {
    if (!b.isObject()) {
      v.add(p, "must be a mapping");
      return null;
    }
    String name = b.path("name").asText("");
    if (name.isEmpty()) {
      v.add(p + ".name", "cannot be empty");
    } else if (!names.add(name)) {
      v.add(p + ".name", "\"" + name + "\" is used by another backend");
    }
    String type = b.path("type").asText("");
    boolean typeOk = type.equals("builtin") || type.equals("provided");
    if (!typeOk) {
      v.add(p + ".type", "\"" + type + "\" is not valid (expected: builtin or provided)");
    }
    String modeText = b.path("mode").asText("STRICT");
    Mode mode = Mode.STRICT;
    if (modeText.equals("PERMISSIVE")) {
      mode = Mode.PERMISSIVE;
    } else if (!modeText.equals("STRICT")) {
      v.add(p + ".mode", "\"" + modeText + "\" is not valid (expected: STRICT or PERMISSIVE)");
    }
    Duration dpCert = DEFAULT_DP_CERT_EXPIRATION;
    JsonNode exp = b.path("dpCert").path("rotation").path("expiration");
    String expPath = p + ".dpCert.rotation.expiration";
    if (!exp.isMissingNode() && !exp.isNull()) {
      Optional<Duration> d = duration(exp, expPath, v);
      if (d.isPresent()) {
        dpCert = d.get();
      }
    }
    JsonNode conf = b.get("conf");
    String cp = p + ".conf";
    if (conf != null && !conf.isNull() && !conf.isObject()) {
      v.add(cp, "must be a mapping");
      conf = null;
    }
    Optional<BuiltinConf> builtin = Optional.empty();
    Optional<ProvidedConf> provided = Optional.empty();
    if (type.equals("builtin")) {
      builtin = Optional.of(builtinConf(conf, cp, v));
    } else if (type.equals("provided")) {
      provided = providedConf(conf, cp, v);
    }
    if (!typeOk || name.isEmpty() || (type.equals("provided") && provided.isEmpty())) {
      return null;
    }
    return new Backend(name, type, mode, dpCert, builtin, provided);
  }

  private static BuiltinConf builtinConf(JsonNode conf, String p, Violations v) {
    int bits = DEFAULT_CA_RSA_BITS;
    Duration expiration = DEFAULT_CA_EXPIRATION;
    JsonNode ca = conf == null ? null : conf.get("caCert");
    if (ca != null && !ca.isNull()) {
      if (!ca.isObject()) {
        v.add(p + ".caCert", "must be a mapping");
      } else {
        JsonNode rsa = ca.get("RSAbits");
        String rp = p + ".caCert.RSAbits";
        if (rsa != null && !rsa.isNull()) {
          if (!rsa.isIntegralNumber() || !rsa.canConvertToInt()) {
            v.add(rp, "must be an integer");
          } else if (rsa.intValue() != 0) {
            bits = rsa.intValue();
            if (bits < 1024 || bits > 8192) {
              v.add(rp, "must be between 1024 and 8192 (default 2048)");
            }
          }
        }
        JsonNode exp = ca.get("expiration");
        if (exp != null && !exp.isNull()) {
          Optional<Duration> d = duration(exp, p + ".caCert.expiration", v);
          if (d.isPresent()) {
            expiration = d.get();
          }
        }
      }
    }
    return new BuiltinConf(bits, expiration);
  }

  private static Optional<ProvidedConf> providedConf(JsonNode conf, String p, Violations v) {
    DataSource cert = dataSource(conf == null ? null : conf.get("cert"), p + ".cert", v);
    DataSource key = dataSource(conf == null ? null : conf.get("key"), p + ".key", v);
    if (cert == null || key == null) {
      return Optional.empty();
    }
    return Optional.of(new ProvidedConf(cert, key));
  }

  /**
   * Parses a Kuma DataSource ({@code secret}, {@code file}, {@code inline} base64 or {@code
   * inlineString}) at path {@code p}; returns null after recording a violation.
   */
  public static DataSource dataSource(JsonNode n, String p, Violations v) {
    if (n == null || n.isNull()) {
      v.add(p, "has to be defined");
      return null;
    }
    if (!n.isObject()) {
      v.add(p, "must be a mapping with one of: secret, file, inline, inlineString");
      return null;
    }
    List<DataSource> found = new ArrayList<>();
    for (String field : List.of("secret", "file", "inline", "inlineString")) {
      JsonNode x = n.get(field);
      if (x == null || x.isNull()) {
        continue;
      }
      String fp = path(p, field);
      if (!x.isTextual() || x.asText().isEmpty()) {
        v.add(fp, "must be a non-empty string");
        return null;
      }
      switch (field) {
        case "secret" -> found.add(new DataSource(DataSource.Kind.SECRET, x.asText()));
        case "file" -> found.add(new DataSource(DataSource.Kind.FILE, x.asText()));
        case "inline" -> {
          try {
            byte[] bytes = Base64.getDecoder().decode(x.asText().replaceAll("\\s", ""));
            found.add(
                new DataSource(
                    DataSource.Kind.INLINE, new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
          } catch (IllegalArgumentException e) {
            v.add(fp, "must be base64");
            return null;
          }
        }
        default -> found.add(new DataSource(DataSource.Kind.INLINE_STRING, x.asText()));
      }
    }
    if (found.size() != 1) {
      v.add(
          p,
          found.isEmpty()
              ? "data source has to be chosen. Available sources: secret, file, inline, inlineString"
              : "only one data source can be set (secret, file, inline or inlineString)");
      return null;
    }
    return found.get(0);
  }

  private static Optional<Duration> duration(JsonNode n, String p, Violations v) {
    if (!n.isTextual()) {
      v.add(p, "must be a duration string such as \"1d\" or \"24h\"");
      return Optional.empty();
    }
    try {
      Duration d = GoDuration.parseWithDays(n.asText());
      if (d.isNegative() || d.isZero()) {
        v.add(p, "must be positive (got \"" + n.asText() + "\")");
        return Optional.empty();
      }
      return Optional.of(d);
    } catch (IllegalArgumentException e) {
      v.add(p, "\"" + n.asText() + "\" is not a valid duration (expected e.g. 1d, 24h, 90m, 10y)");
      return Optional.empty();
    }
  }
}
