package io.meshlite.cp.insights;

import java.net.InetAddress;
import java.util.Locale;

/**
 * The id of a control plane instance, written as {@code controlPlaneInstanceId} of the
 * subscriptions it serves: {@code <hostname>-<dp-server port>}. Unlike Kuma's (hostname plus a
 * random suffix) it stays the same across restarts, so a restarted instance can close the
 * subscriptions it left open when it was killed; two instances on one host differ by port.
 */
public final class InstanceIds {
  private InstanceIds() {}

  /** The id of the instance serving ADS on this port. */
  public static String of(int dpServerPort) {
    return hostname() + "-" + dpServerPort;
  }

  static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h == null || h.isBlank()) {
      try {
        h = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        h = "kuma-cp";
      }
    }
    return h.strip().toLowerCase(Locale.ROOT);
  }
}
