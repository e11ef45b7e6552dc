package io.meshlite.cp;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code KUMA_*} environment of a kuma-cp started inside a test: every server on 127.0.0.1 and on a
 * port the OS picks, so tests never collide with each other or with a real kuma-cp on the machine.
 */
public final class LoopbackCpEnv {
  private LoopbackCpEnv() {}

  /** A mutable map: HOME plus the API (HTTP and HTTPS), diagnostics and dataplane servers on port 0. */
  public static Map<String, String> ephemeralPorts(Path home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", home.toString());
    env.put("KUMA_API_SERVER_HTTP_PORT", "0");
    env.put("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KUMA_API_SERVER_HTTPS_PORT", "0");
    env.put("KUMA_API_SERVER_HTTPS_INTERFACE", "127.0.0.1");
    env.put("KUMA_DIAGNOSTICS_SERVER_PORT", "0");
    env.put("KUMA_DIAGNOSTICS_INTERFACE", "127.0.0.1");
    env.put("KUMA_DP_SERVER_PORT", "0");
    return env;
  }
}
