package io.meshlite.cp.tokens;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.StoreException;
import io.meshlite.cp.tls.Pem;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing keys kept as Secrets/GlobalSecrets, as Kuma keeps them: the {@code data} field holds the
 * base64 of an RSA-2048 private key in PEM (PKCS#1 when we write it; PKCS#8 and raw PKCS#1 DER are
 * read too). The newest key (highest serial) signs; any stored key validates the tokens it signed.
 * Reads go to the store every time, so a rotation or deletion takes effect at once.
 */
public final class SigningKeys {
  /** RSA key size of generated keys (Kuma: 2048). */
  public static final int KEY_BITS = 2048;

  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  private final ResourceManager manager;

  public SigningKeys(ResourceManager manager) {
    this.manager = manager;
  }

  /**
   * Every readable key of the family, lowest serial first.
   *
   * @throws TokenRejected never; a secret that is not a key is logged and skipped
   */
  public List<SigningKey> all(KeyFamily family) {
    List<SigningKey> out = new ArrayList<>();
    for (Resource r : manager.store().list(family.type(), family.type().meshScoped() ? family.mesh() : null)) {
      OptionalInt serial = family.serialOf(r.name());
      if (serial.isEmpty()) {
        continue;
      }
      try {
        out.add(parse(family, serial.getAsInt(), r));
      } catch (IllegalArgumentException e) {
        log.warn("{} {} is not an RSA signing key and is ignored: {}", family.kind(), r.name(), e.getMessage());
      }
    }
    out.sort(Comparator.comparingInt(SigningKey::serial));
    return out;
  }

  /** The key with this serial, if stored and readable. */
  public Optional<SigningKey> get(KeyFamily family, int serial) {
    return manager
        .get(family.type(), family.mesh(), family.secretName(serial))
        .flatMap(r -> {
          try {
            return Optional.of(parse(family, serial, r));
          } catch (IllegalArgumentException e) {
            log.warn("{} {} is not an RSA signing key: {}", family.kind(), r.name(), e.getMessage());
            return Optional.empty();
          }
        });
  }

  /** The key that signs new tokens: the highest serial. */
  public Optional<SigningKey> latest(KeyFamily family) {
    List<SigningKey> all = all(family);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * The newest key, creating serial 1 when the family has none yet.
   *
   * @throws io.meshlite.cp.manager.ManagerException.MeshNotFound when its mesh does not exist
   */
  public SigningKey latestOrCreate(KeyFamily family) {
    Optional<SigningKey> latest = latest(family);
    if (latest.isPresent()) {
      return latest.get();
    }
    create(family, 1);
    return latest(family).orElseThrow(() -> new IllegalStateException("signing key " + family.secretName(1) + " vanished"));
  }

  /**
   * Creates the key with this serial unless it exists.
   *
   * @return true if it was created now
   */
  public boolean create(KeyFamily family, int serial) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("data", Base64.getEncoder().encodeToString(newKeyPem().getBytes(StandardCharsets.US_ASCII)));
    try {
      manager.create(new Resource(family.type(), family.mesh(), family.secretName(serial), ResourceMeta.draft(Map.of()), spec));
      log.info("signing key created {}={} for {}", family.kind(), family.secretName(serial), family.what());
      return true;
    } catch (StoreException.AlreadyExists e) {
      return false; // another instance (or a user) was first
    }
  }

  /** A new RSA-2048 private key in PKCS#1 PEM, the form {@code kumactl generate signing-key} prints. */
  public static String newKeyPem() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(KEY_BITS);
      return Pem.privateKey(g.generateKeyPair().getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
    }
  }

  static SigningKey parse(KeyFamily family, int serial, Resource r) {
    String data = r.spec().path("data").asText("");
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("data is not base64");
    }
    RSAPrivateCrtKey key = rsaKey(raw);
    return new SigningKey(family, serial, key, publicKey(key), r.meta().creationTime());
  }

  /** Reads PEM (PKCS#1 or PKCS#8) or raw PKCS#1 DER, as Kuma does. */
  static RSAPrivateCrtKey rsaKey(byte[] raw) {
    String text = new String(raw, StandardCharsets.US_ASCII);
    PrivateKey key;
    if (text.contains("-----BEGIN")) {
      key = Pem.parsePrivateKey(text);
    } else {
      try {
        RSAPrivateKey k = RSAPrivateKey.getInstance(raw);
        key =
            KeyFactory.getInstance("RSA")
                .generatePrivate(
                    new java.security.spec.RSAPrivateCrtKeySpec(
                        k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(), k.getPrime1(), k.getPrime2(),
                        k.getExponent1(), k.getExponent2(), k.getCoefficient()));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException("data is neither a PEM key nor a PKCS#1 RSA key");
      }
    }
    if (!(key instanceof RSAPrivateCrtKey rsa)) {
      throw new IllegalArgumentException("the key is " + key.getAlgorithm() + ", not RSA");
    }
    if (rsa.getModulus().bitLength() < KEY_BITS) {
      throw new IllegalArgumentException("the RSA key has " + rsa.getModulus().bitLength() + " bits (expected: at least " + KEY_BITS + ")");
    }
    return rsa;
  }

  static RSAPublicKey publicKey(RSAPrivateCrtKey key) {
    try {
      BigInteger e = key.getPublicExponent();
      return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), e));
    } catch (GeneralSecurityException ex) {
      throw new IllegalArgumentException("cannot derive the public key: " + ex.getMessage(), ex);
    }
  }
}
