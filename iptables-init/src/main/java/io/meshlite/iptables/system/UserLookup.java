package io.meshlite.iptables.system;

import java.util.OptionalLong;

/** The host's user database and effective identity. */
public interface UserLookup {
  /** The UID of {@code name}, if such a user exists. */
  OptionalLong uidOf(String name);

  /** True if a user with this UID exists. */
  boolean uidExists(long uid);

  /** The effective UID of this process. */
  long effectiveUid();
}
