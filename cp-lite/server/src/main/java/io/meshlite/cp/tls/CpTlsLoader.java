package io.meshlite.cp.tls;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshlite.api.resource.Resource;
import io.meshlite.api.resource.ResourceMeta;
import io.meshlite.api.resource.ResourceTypes;
import io.meshlite.cp.config.ConfigException;
import io.meshlite.cp.manager.ResourceManager;
import io.meshlite.cp.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the control plane's TLS identity: from the configured files, or generated on first start
 * and kept so that restarts keep it. The generated identity is a CA, kept in GlobalSecret {@value
 * #CA_SECRET} (certificate and key; shared by instances on one durable store) and in the work
 * directory ({@value #CA_CERT_FILE}, {@value #CA_KEY_FILE}; as Kuma keeps its generated certificate
 * there, so a restart with the memory store keeps the CA too), and a server certificate it signed
 * in {@value #CERT_SECRET} / {@value #KEY_SECRET}. When the stored certificate does not cover every
 * name this instance needs (a new host name or {@code general.tlsExtraSans}), or expires within 30
 * days, a new one is issued by the same CA, so clients keep trusting it. The CA certificate in
 * {@value #CA_CERT_FILE} is what users pass to {@code kuma-dp --ca-cert-file}.
 */
public final class CpTlsLoader {
  /** GlobalSecret with the generated CA's certificate and key (PEM). */
  public static final String CA_SECRET = "cp-tls-ca";

  /** GlobalSecret with the generated server certificate chain (PEM). */
  public static final String CERT_SECRET = "cp-tls-cert";

  /** GlobalSecret with the generated server key (PEM). */
  public static final String KEY_SECRET = "cp-tls-key";

  /** The CA certificate in the work directory (Kuma's file name; what kuma-dp trusts). */
  public static final String CA_CERT_FILE = "kuma-cp.crt";

  /** The generated CA's key in the work directory (0600). */
  public static final String CA_KEY_FILE = "kuma-cp-ca.key";

  private static final Logger log = LoggerFactory.getLogger(CpTlsLoader.class);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private CpTlsLoader() {}

  /**
   * Loads (or creates) the TLS identity and writes the CA copy.
   *
   * @throws ConfigException when configured files are missing or do not hold what they should
   */
  public static CpTls load(CpTlsSettings settings, ResourceManager manager, Clock clock) {
    CpTls tls = settings.certFile().isPresent() ? fromFiles(settings) : fromStore(settings, manager, clock);
    settings.workDir().ifPresent(dir -> writeCaCopy(dir.resolve(CA_CERT_FILE), tls, settings));
    log.info("control plane TLS identity source={} names={}", tls.source(), tls.names());
    return tls;
  }

  // ---------------------------------------------------------------- configured files

  static CpTls fromFiles(CpTlsSettings s) {
    Path certFile = s.certFile().orElseThrow();
    Path keyFile = s.keyFile().orElseThrow();
    List<X509Certificate> chain = certificates(certFile, "dpServer.tlsCertFile (KUMA_DP_SERVER_TLS_CERT_FILE)");
    PrivateKey key;
    try {
      key = Pem.parsePrivateKey(read(keyFile, "dpServer.tlsKeyFile (KUMA_DP_SERVER_TLS_KEY_FILE)"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "dpServer.tlsKeyFile (KUMA_DP_SERVER_TLS_KEY_FILE): " + keyFile + " holds no usable private key (" + e.getMessage() + ")");
    }
    List<X509Certificate> ca =
        s.caFile().isPresent()
            ? certificates(s.caFile().get(), "general.tlsCaFile (KUMA_GENERAL_TLS_CA_FILE)")
            : List.of(chain.get(chain.size() - 1));
    return new CpTls(key, chain, ca, certFile + " + " + keyFile);
  }

  private static List<X509Certificate> certificates(Path file, String key) {
    try {
      return Pem.parseCertificates(read(file, key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + file + " holds no usable PEM certificate (" + e.getMessage() + ")");
    }
  }

  private static String read(Path file, String key) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(key + ": cannot read " + file + " (" + e.getMessage() + ")");
    }
  }

  // ---------------------------------------------------------------- generated, kept in the store

  static CpTls fromStore(CpTlsSettings s, ResourceManager manager, Clock clock) {
    Certificates.Issued ca =
        storedCa(manager)
            .orElseGet(() -> workDirCa(s).map(c -> keepCa(manager, c, "work directory")).orElseGet(() -> createCa(manager, clock)));
    s.workDir().ifPresent(dir -> writeCaKey(dir.resolve(CA_KEY_FILE), ca));
    Optional<CpTls> stored = storedServerCert(manager, ca);
    Set<String> wanted = new LinkedHashSet<>(s.names());
    if (stored.isPresent() && covers(stored.get(), wanted) && !expiresSoon(stored.get(), clock)) {
      return new CpTls(stored.get().key(), stored.get().chain(), stored.get().ca(), "store (GlobalSecret " + CERT_SECRET + ")");
    }
    // Keep the names other instances asked for, so instances on one store do not take turns.
    stored.ifPresent(old -> wanted.addAll(old.names()));
    Certificates.Issued server = Certificates.issue(ca, Certificates.Usage.SERVER, new ArrayList<>(wanted), clock);
    put(manager, CERT_SECRET, Pem.certificates(List.of(server.certificate(), ca.certificate())));
    put(manager, KEY_SECRET, Pem.privateKey(server.key()));
    log.info(
        "issued the control plane's TLS certificate reason={} names={}",
        stored.isEmpty() ? "first start" : "names or expiry changed", wanted);
    return new CpTls(
        server.key(), List.of(server.certificate(), ca.certificate()), List.of(ca.certificate()), "generated");
  }

  private static boolean covers(CpTls tls, Set<String> wanted) {
    return tls.names().containsAll(wanted);
  }

  private static boolean expiresSoon(CpTls tls, Clock clock) {
    return tls.chain().get(0).getNotAfter().toInstant().isBefore(clock.instant().plus(RENEW_BEFORE));
  }

  private static Optional<Certificates.Issued> storedCa(ResourceManager manager) {
    return secret(manager, CA_SECRET)
        .map(pem -> {
          try {
            return new Certificates.Issued(Pem.parseCertificates(pem).get(0), Pem.parsePrivateKey(pem));
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                "GlobalSecret " + CA_SECRET + " does not hold a PEM certificate and key (" + e.getMessage()
                    + "): delete it to let kuma-cp generate a new CA (dataplanes then need the new CA)", e);
          }
        });
  }

  private static Certificates.Issued createCa(ResourceManager manager, Clock clock) {
    return keepCa(manager, Certificates.newCa("kuma-cp CA", clock), "generated");
  }

  /** Stores a CA unless another instance stored one first; returns the CA in the store. */
  private static Certificates.Issued keepCa(ResourceManager manager, Certificates.Issued ca, String origin) {
    String pem = Pem.certificates(List.of(ca.certificate())) + Pem.privateKey(ca.key());
    try {
      manager.create(secretResource(CA_SECRET, pem));
      log.info("control plane CA stored origin={} globalSecret={}", origin, CA_SECRET);
      return ca;
    } catch (StoreException.AlreadyExists e) {
      // Another instance on the same store was first: use its CA.
      return storedCa(manager).orElseThrow(() -> e);
    }
  }

  /** The CA a previous run left in the work directory (the memory store forgets it). */
  private static Optional<Certificates.Issued> workDirCa(CpTlsSettings s) {
    if (s.workDir().isEmpty()) {
      return Optional.empty();
    }
    Path cert = s.workDir().get().resolve(CA_CERT_FILE);
    Path key = s.workDir().get().resolve(CA_KEY_FILE);
    if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
      return Optional.empty();
    }
    try {
      X509Certificate c = Pem.parseCertificates(Files.readString(cert, StandardCharsets.US_ASCII)).get(0);
      PrivateKey k = Pem.parsePrivateKey(Files.readString(key, StandardCharsets.US_ASCII));
      return Optional.of(new Certificates.Issued(c, k));
    } catch (IOException | IllegalArgumentException e) {
      log.warn("the CA in {} and {} is not usable, generating a new one error={}", cert, key, e.toString());
      return Optional.empty();
    }
  }

  private static void writeCaKey(Path file, Certificates.Issued ca) {
    String pem = Pem.privateKey(ca.key());
    try {
      if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.US_ASCII).equals(pem)) {
        return;
      }
      write(file, pem, "rw-------");
    } catch (IOException | RuntimeException e) {
      log.warn("cannot keep the control plane CA key in {} (a restart with the memory store then makes a new CA) error={}",
          file, e.toString());
    }
  }

  private static void write(Path file, String text, String permissions) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".kuma-cp", ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep the default permissions
    }
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Optional<CpTls> storedServerCert(ResourceManager manager, Certificates.Issued ca) {
    Optional<String> cert = secret(manager, CERT_SECRET);
    Optional<String> key = secret(manager, KEY_SECRET);
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> chain = Pem.parseCertificates(cert.get());
      chain.get(0).verify(ca.certificate().getPublicKey());
      return Optional.of(new CpTls(Pem.parsePrivateKey(key.get()), chain, List.of(ca.certificate()), "store"));
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      log.warn("stored TLS certificate is not usable, issuing a new one globalSecret={} error={}", CERT_SECRET, e.toString());
      return Optional.empty();
    }
  }

  private static Optional<String> secret(ResourceManager manager, String name) {
    return manager
        .get(ResourceTypes.GLOBAL_SECRET, "", name)
        .map(r -> new String(Base64.getDecoder().decode(r.spec().path("data").asText("")), StandardCharsets.US_ASCII));
  }

  private static void put(ResourceManager manager, String name, String pem) {
    manager.upsert(secretResource(name, pem));
  }

  private static Resource secretResource(String name, String pem) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("data", Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
    return new Resource(ResourceTypes.GLOBAL_SECRET, "", name, ResourceMeta.draft(Map.of()), spec);
  }

  // ---------------------------------------------------------------- the CA for users

  private static void writeCaCopy(Path file, CpTls tls, CpTlsSettings s) {
    if (s.certFile().map(file::equals).orElse(false) || s.caFile().map(file::equals).orElse(false)) {
      return; // never overwrite a configured file
    }
    try {
      if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.US_ASCII).equals(tls.caPem())) {
        write(file, tls.caPem(), "rw-r--r--");
      }
      log.info("the CA of the control plane is in {} (pass it to kuma-dp --ca-cert-file)", file);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write the control plane CA to {} error={}", file, e.toString());
    }
  }
}
