package io.meshlite.cp.ca;

import io.meshlite.api.mesh.DataplaneSpec.Inbound;
import io.meshlite.api.mesh.Tags;
import io.meshlite.cp.policy.trafficpermission.Rbac;
import io.meshlite.cp.xds.generator.Dataplane;
import io.meshlite.cp.xds.generator.MeshContext;
import io.meshlite.cp.xds.generator.MeshSecurity;
import io.meshlite.cp.xds.generator.ProxyIdentity;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload certificates of connected proxies, issued in memory and renewed as Kuma does: when a
 * proxy has none, when its mesh's CA or certificate settings changed, when its tags changed, or once
 * 4/5 of the lifetime has passed (after 19.2 h for 24 h certificates). Each issue uses a fresh
 * RSA-2048 key. Thread-safe: each proxy is handled by its own xDS lane.
 */
public final class DataplaneIdentities {
  private static final Logger log = LoggerFactory.getLogger(DataplaneIdentities.class);

  /** Workload keys are always RSA-2048, as Kuma's issuer makes them. */
  static final int KEY_BITS = 2048;

  /** What a certificate was issued for; a change means a new certificate. */
  private record Basis(String backend, String caPem, Duration lifetime, List<String> uris) {}

  private record Issued(Basis basis, ProxyIdentity identity) {}

  /** Told about every certificate issued to a proxy (the first one and each renewal). */
  @FunctionalInterface
  public interface IssueListener {
    /** Ignores everything. */
    IssueListener NONE = (nodeId, backend, issuedAt, notAfter) -> {};

    /**
     * @param nodeId the proxy's node id
     * @param backend the mTLS backend that issued it
     * @param issuedAt when
     * @param notAfter when it expires
     */
    void issued(String nodeId, String backend, Instant issuedAt, Instant notAfter);
  }

  private final Clock clock;
  private final IssueListener listener;
  private final ConcurrentHashMap<String, Issued> issued = new ConcurrentHashMap<>();
  private final AtomicLong issuedTotal = new AtomicLong();

  public DataplaneIdentities(Clock clock) {
    this(clock, IssueListener.NONE);
  }

  /** @param listener told about each certificate issued (it must not block) */
  public DataplaneIdentities(Clock clock, IssueListener listener) {
    this.clock = clock;
    this.listener = listener;
  }

  /**
   * The current identity of a proxy, issuing a certificate when needed; empty when its mesh has
   * mTLS off (and any old certificate is dropped).
   */
  public Optional<ProxyIdentity> identity(MeshContext mesh, Dataplane proxy) {
    Optional<MeshSecurity.Mtls> mtls = mesh.security().mtls();
    if (mtls.isEmpty()) {
      issued.remove(proxy.nodeId());
      return Optional.empty();
    }
    Basis basis =
        new Basis(mtls.get().backend(), mtls.get().caPem(), mtls.get().dpCertLifetime(), uris(mesh.name(), proxy));
    Instant now = clock.instant();
    Issued current = issued.get(proxy.nodeId());
    if (current != null && current.basis().equals(basis) && now.isBefore(current.identity().renewAt())) {
      return Optional.of(current.identity());
    }
    ProxyIdentity identity = issue(mtls.get(), basis.uris(), now);
    issued.put(proxy.nodeId(), new Issued(basis, identity));
    issuedTotal.incrementAndGet();
    try {
      listener.issued(proxy.nodeId(), mtls.get().backend(), now, identity.notAfter());
    } catch (RuntimeException e) {
      log.warn("certificate listener failed dp={} error={}", proxy.name(), e.toString());
    }
    log.info(
        "dataplane certificate {} dp={} mesh={} serial={} notAfter={} renewAt={}",
        current == null ? "issued" : "renewed",
        proxy.name(), mesh.name(), identity.serial(), identity.notAfter(), identity.renewAt());
    return Optional.of(identity);
  }

  /** Drops a proxy's certificate (its proxy went away). */
  public void forget(String nodeId) {
    issued.remove(nodeId);
  }

  /** Certificates issued since start. */
  public long issuedTotal() {
    return issuedTotal.get();
  }

  private static ProxyIdentity issue(MeshSecurity.Mtls mtls, List<String> uris, Instant now) {
    KeyPair keys = Certificates.rsa(KEY_BITS);
    X509Certificate ca = mtls.caChain().get(0);
    X509Certificate cert =
        Certificates.workload(ca, mtls.caKey(), keys.getPublic(), uris, now, mtls.dpCertLifetime());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(cert);
    if (!ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal())) {
      chain.addAll(mtls.caChain()); // an intermediate CA: peers need it to build the path
    }
    Instant notAfter = cert.getNotAfter().toInstant();
    Duration lifetime = mtls.dpCertLifetime();
    Instant renewAt = now.plus(lifetime.multipliedBy(4).dividedBy(5));
    return new ProxyIdentity(
        Pem.encode(chain), Pem.encode(keys.getPrivate()), notAfter, renewAt, cert.getSerialNumber().toString(16));
  }

  /**
   * The URI SANs of a proxy: {@code spiffe://<mesh>/<service>} for each service it serves, then
   * {@code kuma://<tag>/<value>} for every distinct tag value of its inbounds, sorted.
   */
  static List<String> uris(String mesh, Dataplane proxy) {
    Map<String, TreeSet<String>> tags = new TreeMap<>();
    for (Inbound in : proxy.spec().networking().inbound()) {
      in.tags().forEach((k, v) -> tags.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
    }
    List<String> out = new ArrayList<>();
    tags.getOrDefault(Tags.SERVICE, new TreeSet<>()).forEach(s -> out.add(Rbac.spiffeId(mesh, s)));
    tags.forEach((k, values) -> values.forEach(v -> out.add(Rbac.kumaId(k, v))));
    return out;
  }
}
