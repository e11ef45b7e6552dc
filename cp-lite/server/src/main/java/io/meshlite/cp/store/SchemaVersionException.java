package io.meshlite.cp.store;

import java.io.Serial;

/**
 * The database schema is not the one this kuma-cp was built for. The message is one line that says
 * what to do ({@code kuma-cp migrate up}, or upgrade kuma-cp).
 */
public final class SchemaVersionException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final int current;
  private final int required;

  /**
   * @param current the version found in the database (0 when it was never migrated)
   * @param required the newest version this kuma-cp knows
   */
  public SchemaVersionException(int current, int required) {
    super(message(current, required));
    this.current = current;
    this.required = required;
  }

  /** The version found in the database; 0 when it was never migrated. */
  public int current() {
    return current;
  }

  /** The version this kuma-cp needs. */
  public int required() {
    return required;
  }

  /** True when the database is newer than this kuma-cp (upgrade kuma-cp, do not migrate). */
  public boolean newerThanKnown() {
    return current > required;
  }

  private static String message(int current, int required) {
    if (current > required) {
      return "database schema is at version "
          + current
          + ", which is newer than this kuma-cp knows ("
          + required
          + "); upgrade kuma-cp";
    }
    return "database schema is at version "
        + current
        + ", this kuma-cp needs "
        + required
        + ": run `kuma-cp migrate up`";
  }
}
