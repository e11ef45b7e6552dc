package io.meshlite.cp.vip;

import io.meshlite.api.resource.ResourceKey;
import io.meshlite.api.resource.ResourceTypes;
import java.util.Optional;

/** Where a mesh's VIPs are stored: Kuma's global {@code Config} named {@code kuma-<mesh>-dns-vips}. */
public final class VipNames {
  private static final String PREFIX = "kuma-";
  private static final String SUFFIX = "-dns-vips";

  private VipNames() {}

  /** {@code kuma-<mesh>-dns-vips}. */
  public static String configName(String mesh) {
    return PREFIX + mesh + SUFFIX;
  }

  /** The store key of a mesh's VIP table. */
  public static ResourceKey configKey(String mesh) {
    return ResourceKey.of(ResourceTypes.CONFIG, "", configName(mesh));
  }

  /** The mesh whose VIP table a Config of this name is, or empty for any other Config. */
  public static Optional<String> meshOf(String configName) {
    if (configName.length() > PREFIX.length() + SUFFIX.length()
        && configName.startsWith(PREFIX)
        && configName.endsWith(SUFFIX)) {
      return Optional.of(configName.substring(PREFIX.length(), configName.length() - SUFFIX.length()));
    }
    return Optional.empty();
  }

  /** The mesh a store event of this key concerns, if it is a VIP table. */
  public static Optional<String> meshOf(ResourceKey key) {
    return key.type().equals(ResourceTypes.CONFIG.name()) ? meshOf(key.name()) : Optional.empty();
  }
}
