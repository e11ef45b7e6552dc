package io.meshlite.agent.envoy;

import io.meshlite.agent.support.MiniHttp;
import io.meshlite.api.json.JsonText;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** The calls kuma-dp makes to Envoy's admin API, over TCP or a Unix socket ({@link MiniHttp}). */
public final class EnvoyAdmin {
  private final AdminEndpoint endpoint;
  private final Duration timeout;

  /** A client for one admin endpoint; every call gives up after {@code timeout}. */
  public EnvoyAdmin(AdminEndpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  public AdminEndpoint endpoint() {
    return endpoint;
  }

  /** An admin response. */
  public record Response(int status, String body) {}

  /** True when {@code GET /ready} answers 200 {@code LIVE}. Any failure means not ready. */
  public boolean ready() {
    try {
      Response r = call("GET", "/ready");
      return r.status() == 200 && r.body().strip().equals("LIVE");
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code POST /healthcheck/fail}: Envoy starts failing health checks of its peers. */
  public void failHealthChecks() throws IOException {
    expectOk(call("POST", "/healthcheck/fail"), "/healthcheck/fail");
  }

  /** {@code POST /drain_listeners?inboundonly&graceful}: inbound listeners start draining. */
  public void drainInboundListeners() throws IOException {
    expectOk(call("POST", "/drain_listeners?inboundonly&graceful"), "/drain_listeners");
  }

  /**
   * Active downstream connections summed over the inbound listeners (Kuma names them {@code
   * inbound:...}), from {@code /listeners} and the {@code downstream_cx_active} stats.
   */
  public long activeInboundConnections() throws IOException {
    Response listeners = call("GET", "/listeners?format=json");
    expectOk(listeners, "/listeners");
    Set<String> statKeys = new HashSet<>();
    Object root;
    try {
      root = JsonText.parse(listeners.body());
    } catch (IllegalArgumentException e) {
      throw new IOException("/listeners: not JSON: " + e.getMessage(), e);
    }
    if (JsonText.get(root, "listener_statuses") instanceof List<?> statuses) {
      for (Object l : statuses) {
        if (!(JsonText.get(l, "name") instanceof String name) || !name.startsWith("inbound:")) {
          continue;
        }
        Object sa = JsonText.get(l, "local_address", "socket_address");
        if (JsonText.get(sa, "address") instanceof String address && JsonText.get(sa, "port_value") instanceof Long port) {
          statKeys.add("listener." + address.replace(':', '_') + "_" + port + ".downstream_cx_active");
        }
      }
    }
    if (statKeys.isEmpty()) {
      return 0;
    }
    long total = 0;
    for (String line : stats("^listener\\..*\\.downstream_cx_active$").split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0 && statKeys.contains(line.substring(0, colon).strip())) {
        total += Long.parseLong(line.substring(colon + 2).strip());
      }
    }
    return total;
  }

  /** Envoy's {@code control_plane.connected_state} gauge (1 connected, 0 not), if reported. */
  public OptionalLong controlPlaneConnected() throws IOException {
    for (String line : stats("^control_plane\\.connected_state$").split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0 && line.startsWith("control_plane.connected_state")) {
        return OptionalLong.of(Long.parseLong(line.substring(colon + 2).strip()));
      }
    }
    return OptionalLong.empty();
  }

  private String stats(String filter) throws IOException {
    Response r = call("GET", "/stats?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    expectOk(r, "/stats");
    return r.body();
  }

  private void expectOk(Response r, String what) throws IOException {
    if (r.status() != 200) {
      throw new IOException("Envoy admin " + endpoint + what + " answered " + r.status() + ": " + r.body().strip());
    }
  }

  /** Sends one request and reads the whole response. */
  public Response call(String method, String pathAndQuery) throws IOException {
    try {
      MiniHttp.Response r = MiniHttp.exchange(
          endpoint.socketAddress(), "127.0.0.1", method, pathAndQuery, Map.of(), new byte[0], timeout);
      return new Response(r.status(), r.text());
    } catch (SocketTimeoutException e) {
      throw new IOException("Envoy admin " + endpoint + " did not answer " + pathAndQuery + " within "
          + timeout.toMillis() + " ms", e);
    }
  }
}
