package io.meshlite.iptables.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One source of settings (defaults, a config file, the environment, the flags). Values are
 * still raw (strings, lists, maps); {@link ConfigLoader} converts and validates them.
 */
public final class ConfigLayer {
  private final String name;
  private final Map<ConfigKey, Setting> settings = new LinkedHashMap<>();

  /** A raw value and where it came from ({@code --redirect-dns-port}, {@code file.yaml: ...}). */
  public record Setting(Object value, String origin) {}

  public ConfigLayer(String name) {
    this.name = name;
  }

  /** Sets {@code key}; a later call for the same key wins. */
  public ConfigLayer set(ConfigKey key, Object value, String origin) {
    settings.put(key, new Setting(value, origin));
    return this;
  }

  public String name() {
    return name;
  }

  public Map<ConfigKey, Setting> settings() {
    return Collections.unmodifiableMap(settings);
  }
}
