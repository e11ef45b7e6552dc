package io.meshlite.cp.xds;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.meshlite.cp.xds.generator.ResourceSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Per-type versions of a proxy's resources, each the hash of that type's content (names and
 * deterministically serialised protos). Equal content gives equal versions, across lanes, restarts
 * and control-plane replicas.
 *
 * @param clusters CDS version
 * @param endpoints EDS version (folds in the CDS version, so changed clusters refetch endpoints)
 * @param listeners LDS version
 * @param routes RDS version
 * @param secrets SDS version
 */
record SnapshotVersions(String clusters, String endpoints, String listeners, String routes, String secrets) {
  /** Per-instance digests; weak keys compare by identity and let unused resources go. */
  private static final Cache<Message, byte[]> DIGESTS = CacheBuilder.newBuilder().weakKeys().build();

  /** Hashes a resource set. */
  static SnapshotVersions of(ResourceSet r) {
    String clusters = hash("", r.clusters());
    return new SnapshotVersions(
        clusters, hash(clusters, r.endpoints()), hash("", r.listeners()), hash("", r.routes()), hash("", r.secrets()));
  }

  /** The java-control-plane snapshot of these resources at these versions. */
  Snapshot snapshot(ResourceSet r) {
    return Snapshot.create(
        r.clusters(), clusters, r.endpoints(), endpoints, r.listeners(), listeners, r.routes(), routes, r.secrets(), secrets);
  }

  private static String hash(String seed, List<? extends Message> resources) {
    MessageDigest d = sha256();
    d.update(seed.getBytes(StandardCharsets.UTF_8));
    for (Message m : resources) {
      d.update(digest(m));
    }
    return HexFormat.of().formatHex(d.digest(), 0, 8);
  }

  /**
   * The SHA-256 of a resource's deterministic serialisation, remembered per instance: resources
   * shared between proxies (load assignments, EDS clusters, outbound listeners) are serialised for
   * hashing once, not once per proxy and change.
   */
  static byte[] digest(Message m) {
    byte[] known = DIGESTS.getIfPresent(m);
    if (known != null) {
      return known;
    }
    byte[] digest = sha256().digest(deterministicBytes(m));
    DIGESTS.put(m, digest);
    return digest;
  }

  private static byte[] deterministicBytes(Message m) {
    byte[] out = new byte[m.getSerializedSize()];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    cos.useDeterministicSerialization();
    try {
      m.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
