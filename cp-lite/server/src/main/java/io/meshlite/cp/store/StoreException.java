package io.meshlite.cp.store;

import io.meshlite.api.resource.ResourceKey;
import java.io.Serial;

/** Failures of a {@link ResourceStore}; the REST API maps each to one status code. */
public abstract sealed class StoreException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The resource does not exist (404). */
  public static final class NotFound extends StoreException {
    @Serial private static final long serialVersionUID = 1L;

    public NotFound(ResourceKey key) {
      super(key + " not found", null);
    }
  }

  /** A resource with this key exists already (409). */
  public static final class AlreadyExists extends StoreException {
    @Serial private static final long serialVersionUID = 1L;

    public AlreadyExists(ResourceKey key) {
      super(key + " already exists", null);
    }
  }

  /** The update carried a stale version (409). */
  public static final class Conflict extends StoreException {
    @Serial private static final long serialVersionUID = 1L;

    public Conflict(ResourceKey key, long expected, long actual) {
      super(key + " was changed concurrently (version " + expected + ", stored " + actual + ")", null);
    }
  }

  /** The backing store cannot be reached (503). */
  public static final class Unavailable extends StoreException {
    @Serial private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
