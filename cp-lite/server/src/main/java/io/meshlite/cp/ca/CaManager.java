package io.meshlite.cp.ca;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.mesh.MtlsSpec;
import io.meshlite.api.mesh.MtlsSpec.DataSource;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.ResourceStore;
import io.meshlite.cp.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds (and for builtin backends creates) the CA of a mesh's mTLS backend.
 *
 * <p>A builtin CA lives in two mesh-scoped Secrets, {@code <mesh>.ca-builtin-key-<backend>} (PEM
 * private key) and {@code <mesh>.ca-builtin-cert-<backend>} (PEM certificate), as in Kuma. Creating
 * them is safe with several control planes on one store: the key is created first, only if absent
 * (a loser of the race adopts the winner's key), then the certificate is created, only if absent,
 * from whichever key won. A crash between the two leaves a key without a certificate, which the
 * next call completes. Keys only ever live in the store and in memory.
 *
 * <p>A provided CA is read from its data sources: a mesh Secret, a file on the control plane's
 * host, or inline content.
 */
public final class CaManager {
  private static final Logger log = LoggerFactory.getLogger(CaManager.class);

  private final ResourceStore store;
  private final ResourceManager writer;
  private final Clock clock;

  /**
   * @param store where the CA Secrets live
   * @param clock the clock (certificate validity)
   */
  public CaManager(ResourceStore store, Clock clock) {
    this.store = store;
    // Writes go through the manager's rules (validation, mesh check, computed labels); the
    // settings only matter for upsert and delete, which are not used here.
    this.writer = new ResourceManager(store, new ResourceManager.Settings(false, 0, Duration.ZERO));
    this.clock = clock;
  }

  /**
   * A CA in memory.
   *
   * @param chain the CA certificate first, then any certificates above it
   * @param key its private key
   */
  public record Ca(List<X509Certificate> chain, PrivateKey key) {
    public Ca {
      chain = List.copyOf(chain);
    }

    /** The PEM of the chain: the trust bundle proxies validate peers against. */
    public String pem() {
      return Pem.encode(chain);
    }

    @Override
    public String toString() {
      return "Ca[" + chain.get(0).getSubjectX500Principal() + "]";
    }
  }

  /** Name of the Secret holding a builtin CA's certificate. */
  public static String certSecretName(String mesh, String backend) {
    return mesh + ".ca-builtin-cert-" + backend;
  }

  /** Name of the Secret holding a builtin CA's private key. */
  public static String keySecretName(String mesh, String backend) {
    return mesh + ".ca-builtin-key-" + backend;
  }

  /**
   * The CA of a backend of {@code mesh}; a builtin one is created if it does not exist yet.
   *
   * @throws IllegalStateException if the CA cannot be read or is not usable, with the reason
   */
  public Ca ensure(String mesh, MtlsSpec.Backend backend) {
    return switch (backend.type()) {
      case "builtin" -> builtin(mesh, backend);
      case "provided" -> provided(mesh, backend);
      default -> throw new IllegalStateException("unknown CA type " + backend.type());
    };
  }

  private Ca builtin(String mesh, MtlsSpec.Backend backend) {
    MtlsSpec.BuiltinConf conf = backend.builtin().orElse(
        new MtlsSpec.BuiltinConf(MtlsSpec.DEFAULT_CA_RSA_BITS, MtlsSpec.DEFAULT_CA_EXPIRATION));
    String keyName = keySecretName(mesh, backend.name());
    String certName = certSecretName(mesh, backend.name());
    Optional<String> keyPem = secret(mesh, keyName);
    Optional<String> certPem = secret(mesh, certName);
    if (keyPem.isPresent() && certPem.isPresent()) {
      return checked(mesh, backend, Pem.certificates(certPem.get()), Pem.privateKey(keyPem.get()));
    }
    PrivateKey key;
    X509Certificate cert = null;
    if (keyPem.isPresent()) {
      key = Pem.privateKey(keyPem.get());
    } else {
      KeyPair keys = Certificates.rsa(conf.rsaBits());
      cert = Certificates.root(mesh, keys, clock.instant(), conf.caExpiration());
      if (createSecret(mesh, keyName, Pem.encode(keys.getPrivate()))) {
        key = keys.getPrivate();
        log.info("builtin CA created mesh={} backend={} rsaBits={} expiration={}",
            mesh, backend.name(), conf.rsaBits(), conf.caExpiration());
      } else {
        // Another control plane won the race: use its key.
        key = Pem.privateKey(secret(mesh, keyName).orElseThrow(() -> missing(mesh, keyName)));
        cert = null;
      }
    }
    if (certPem.isEmpty()) {
      if (cert == null) {
        cert = Certificates.root(mesh, new KeyPair(publicKeyOf(mesh, key), key), clock.instant(), conf.caExpiration());
      }
      createSecret(mesh, certName, Pem.encode(List.of(cert)));
    }
    String stored = secret(mesh, certName).orElseThrow(() -> missing(mesh, certName));
    return checked(mesh, backend, Pem.certificates(stored), key);
  }

  private static java.security.PublicKey publicKeyOf(String mesh, PrivateKey key) {
    if (key instanceof java.security.interfaces.RSAPrivateCrtKey rsa) {
      try {
        return java.security.KeyFactory.getInstance("RSA")
            .generatePublic(new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "the builtin CA key of mesh " + mesh + " has no certificate and is not an RSA key: delete its Secret");
  }

  private Ca provided(String mesh, MtlsSpec.Backend backend) {
    MtlsSpec.ProvidedConf conf =
        backend.provided().orElseThrow(() -> new IllegalStateException("provided backend without conf"));
    String what = "mesh " + mesh + " mTLS backend " + backend.name();
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = Pem.certificates(read(mesh, conf.cert()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(what + ": conf.cert (" + conf.cert() + "): " + e.getMessage(), e);
    }
    try {
      key = Pem.privateKey(read(mesh, conf.key()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(what + ": conf.key (" + conf.key() + "): " + e.getMessage(), e);
    }
    if (chain.get(0).getBasicConstraints() < 0) {
      throw new IllegalStateException(what + ": conf.cert is not a CA certificate (basic constraint CA must be true)");
    }
    return checked(mesh, backend, chain, key);
  }

  private static Ca checked(String mesh, MtlsSpec.Backend backend, List<X509Certificate> chain, PrivateKey key) {
    if (!Certificates.matches(chain.get(0), key)) {
      throw new IllegalStateException(
          "mesh " + mesh + " mTLS backend " + backend.name() + ": the CA private key does not belong to its certificate");
    }
    return new Ca(chain, key);
  }

  private String read(String mesh, DataSource ds) {
    return switch (ds.kind()) {
      case INLINE, INLINE_STRING -> ds.value();
      case SECRET -> secret(mesh, ds.value())
          .orElseThrow(() -> new IllegalArgumentException("Secret \"" + ds.value() + "\" not found in mesh " + mesh));
      case FILE -> {
        try {
          yield Files.readString(Path.of(ds.value()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
          throw new IllegalArgumentException("cannot read " + ds.value() + ": " + e.getMessage(), e);
        }
      }
    };
  }

  /** The decoded {@code data} of a mesh Secret. */
  private Optional<String> secret(String mesh, String name) {
    return store.get(ResourceKey.of(ResourceTypes.SECRET, mesh, name))
        .map(
            r -> {
              String data = r.spec().path("data").asText("");
              try {
                return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Secret \"" + name + "\" of mesh " + mesh + ": data is not base64");
              }
            });
  }

  /** Creates a mesh Secret; false if it already existed. */
  private boolean createSecret(String mesh, String name, String content) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("data", Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.US_ASCII)));
    try {
      writer.create(new Resource(ResourceTypes.SECRET, mesh, name, ResourceMeta.draft(Map.of()), spec));
      return true;
    } catch (StoreException.AlreadyExists e) {
      return false;
    }
  }

  private static IllegalStateException missing(String mesh, String name) {
    return new IllegalStateException("Secret \"" + name + "\" of mesh " + mesh + " disappeared while creating the CA");
  }
}
