package io.meshlite.api.resource;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Store-owned metadata of a resource.
 *
 * @param version optimistic-concurrency version; 0 for a resource not yet stored
 * @param creationTime when the resource was first stored
 * @param modificationTime when it was last changed
 * @param labels user and computed labels, sorted by key
 */
public record ResourceMeta(
    long version, Instant creationTime, Instant modificationTime, Map<String, String> labels) {

  public ResourceMeta {
    Objects.requireNonNull(creationTime, "creationTime");
    Objects.requireNonNull(modificationTime, "modificationTime");
    labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /** Metadata for a resource that was parsed but not stored yet. */
  public static ResourceMeta draft(Map<String, String> labels) {
    return new ResourceMeta(0, Instant.EPOCH, Instant.EPOCH, labels);
  }

  public ResourceMeta withVersion(long v) {
    return new ResourceMeta(v, creationTime, modificationTime, labels);
  }

  public ResourceMeta withLabels(Map<String, String> l) {
    return new ResourceMeta(version, creationTime, modificationTime, l);
  }

  public ResourceMeta withTimes(Instant created, Instant modified) {
    return new ResourceMeta(version, created, modified, labels);
  }
}
