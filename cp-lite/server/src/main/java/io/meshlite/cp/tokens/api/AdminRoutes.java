package io.meshlite.cp.tokens.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which API paths only an admin may use: token issuing ({@code /tokens/...}), every operation on
 * Secrets and GlobalSecrets (Kuma's {@code access.static.adminResources}) and the control plane CA
 * endpoint. Everything else is open as in Kuma.
 */
final class AdminRoutes {
  private static final Set<String> SECRET_PLURALS = Set.of("secrets", "globalsecrets");

  private AdminRoutes() {}

  /**
   * @param path the path after the API base path, e.g. {@code /meshes/default/secrets/x}
   */
  static boolean adminOnly(String path) {
    List<String> s = segments(path);
    if (s.isEmpty()) {
      return false;
    }
    String first = s.get(0);
    if (first.equals("tokens") || SECRET_PLURALS.contains(first)) {
      return true;
    }
    if (first.equals("tls")) {
      return true;
    }
    return first.equals("meshes") && s.size() >= 3 && SECRET_PLURALS.contains(s.get(2));
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        out.add(java.net.URLDecoder.decode(p.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
