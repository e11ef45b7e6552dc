package io.meshlite.tests.support;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Reads a real Envoy's admin API (on 127.0.0.1 inside a network namespace) with curl run in that
 * namespace.
 *
 * @param ns the namespace Envoy runs in
 * @param port the admin port
 */
public record NamespacedEnvoyAdmin(NetworkNamespace ns, int port) {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  public boolean ready() {
    NetworkNamespace.CommandResult r = ns.curl(TIMEOUT, "http://127.0.0.1:" + port + "/ready");
    return r.ok() && r.stdout().strip().equals("LIVE");
  }

  /** A counter or gauge from {@code /stats}; 0 when Envoy does not report it. */
  public long stat(String name) {
    return statIfPresent(name).orElse(0);
  }

  /** A counter or gauge from {@code /stats}, empty when Envoy does not report it. */
  public OptionalLong statIfPresent(String name) {
    NetworkNamespace.CommandResult r = ns.curl(TIMEOUT, "http://127.0.0.1:" + port + "/stats");
    if (!r.ok()) {
      return OptionalLong.empty();
    }
    for (String line : r.stdout().split("\n")) {
      int i = line.lastIndexOf(": ");
      if (i > 0 && line.substring(0, i).equals(name)) {
        try {
          return OptionalLong.of(Long.parseLong(line.substring(i + 2).strip()));
        } catch (NumberFormatException histogram) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /** The admin page at {@code path} (e.g. {@code /listeners}), or "" when it does not answer. */
  public String get(String path) {
    NetworkNamespace.CommandResult r = ns.curl(TIMEOUT, "http://127.0.0.1:" + port + path);
    return r.ok() ? r.stdout() : "";
  }
}
