package io.meshlite.cp.store;

import io.meshlite.api.resource.ResourceKey;
import java.util.Objects;

/**
 * A committed change of one resource.
 *
 * @param kind what happened
 * @param key which resource
 */
public record StoreEvent(Kind kind, ResourceKey key) {
  /** The kind of change. */
  public enum Kind {
    CREATED,
    UPDATED,
    DELETED
  }

  public StoreEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
  }
}
