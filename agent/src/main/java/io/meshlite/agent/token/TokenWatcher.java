package io.meshlite.agent.token;

import io.meshlite.agent.bootstrap.ControlPlaneTransport;
import io.meshlite.agent.support.MiniHttp;
import io.meshlite.agent.support.Ticker;
import io.meshlite.api.json.JsonText;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code --dataplane-token-file} while Envoy runs. When the token in it changes (and looks
 * like a JWT), kuma-dp installs it in its copy and posts it to the control plane's {@code
 * /dataplane-token/reload}: the control plane checks it for this proxy and closes the proxy's xDS
 * stream, and Envoy reconnects, reading the new token from the copy (reloadable bootstrap form) —
 * Envoy is not restarted. A token the control plane refuses is taken back out of the copy and
 * reported once; the previous token stays in use.
 */
public final class TokenWatcher {
  /** Where the control plane takes a reloaded token. */
  public static final String RELOAD_PATH = "/dataplane-token/reload";

  /** What the reloadable bootstrap form names (Envoy's file-based token credential). */
  static final String FILE_CREDENTIALS = "envoy.grpc_credentials.file_based_metadata";

  private static final Logger log = LoggerFactory.getLogger(TokenWatcher.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final TokenFile token;
  private final ControlPlaneTransport transport;
  private final URI reload;
  private final String mesh;
  private final String name;
  private final Path bootstrap;
  private final Ticker ticker;
  private final Duration interval;
  private String ignored;

  /**
   * @param cpAddress the control plane's dataplane server
   * @param bootstrap the Envoy bootstrap file in use (to tell whether Envoy re-reads the token)
   * @param interval how often the token file is read
   */
  public TokenWatcher(
      TokenFile token,
      ControlPlaneTransport transport,
      URI cpAddress,
      String mesh,
      String name,
      Path bootstrap,
      Ticker ticker,
      Duration interval) {
    this.token = token;
    this.transport = transport;
    this.reload = URI.create(cpAddress.toString() + RELOAD_PATH);
    this.mesh = mesh;
    this.name = name;
    this.bootstrap = bootstrap;
    this.ticker = ticker;
    this.interval = interval;
  }

  /** Checks the token file until {@code stop} opens. */
  public void run(CountDownLatch stop) {
    try {
      while (!ticker.await(stop, interval)) {
        poll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One check of the token file; returns what happened, for tests and logs. */
  public Result poll() throws InterruptedException {
    Path source = token.source().orElse(null);
    if (source == null) {
      return Result.UNCHANGED;
    }
    String next;
    try {
      next = token.read();
    } catch (IOException e) {
      if (!e.getMessage().equals(ignored)) {
        ignored = e.getMessage();
        log.warn("{}; keeping the current dataplane token", e.getMessage());
      }
      return Result.UNREADABLE;
    }
    if (next.equals(token.installed()) || next.equals(ignored)) {
      return Result.UNCHANGED;
    }
    Optional<String> problem = TokenFile.problem(next);
    if (problem.isPresent()) {
      ignored = next;
      log.warn("the dataplane token in {} is not usable ({}); keeping the current token", source, problem.get());
      return Result.MALFORMED;
    }
    String previous = token.installed();
    try {
      token.install(next);
    } catch (IOException e) {
      log.warn("cannot install the new dataplane token in {}: {}", token.path(), e.getMessage());
      return Result.UNREADABLE;
    }
    if (!reloadable()) {
      log.info(
          "the dataplane token in {} changed; Envoy uses it when it restarts (the control plane put the token into the"
              + " bootstrap: set KUMA_DP_SERVER_AUTHN_ENABLE_RELOADABLE_TOKENS=true on it to reload without a restart)",
          source);
      return Result.INSTALLED;
    }
    MiniHttp.Response r;
    try {
      r = transport.post(reload, Map.of("Content-Type", "application/json", "Accept", "application/json"), body(next), TIMEOUT);
    } catch (IOException e) {
      log.info(
          "the dataplane token in {} changed; the control plane is not reachable ({}), Envoy uses the new token when it"
              + " reconnects",
          source, e.getMessage());
      return Result.INSTALLED;
    }
    String text = new String(r.body(), StandardCharsets.UTF_8).strip();
    if (r.status() == 200) {
      log.info("dataplane token reloaded from {}: Envoy reconnects with it without a restart ({})", source, text);
      return Result.RELOADED;
    }
    if (r.status() >= 400 && r.status() < 500) {
      restore(previous);
      ignored = next;
      log.warn("the control plane refused the new dataplane token in {}: {}; keeping the current token", source, oneLine(text));
      return Result.REFUSED;
    }
    log.info("the control plane answered HTTP {} to the token reload; Envoy uses the new token when it reconnects", r.status());
    return Result.INSTALLED;
  }

  /** What one poll did. */
  public enum Result {
    UNCHANGED,
    UNREADABLE,
    MALFORMED,
    INSTALLED,
    RELOADED,
    REFUSED
  }

  private boolean reloadable() {
    try {
      String b = Files.readString(bootstrap, StandardCharsets.UTF_8);
      return b.contains(FILE_CREDENTIALS) && b.contains(token.path().toString());
    } catch (IOException e) {
      return false;
    }
  }

  private void restore(String previous) {
    if (previous == null) {
      return;
    }
    try {
      token.install(previous);
    } catch (IOException e) {
      log.warn("cannot put the previous dataplane token back into {}: {}", token.path(), e.getMessage());
    }
  }

  private byte[] body(String t) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("mesh", mesh);
    body.put("name", name);
    body.put("dataplaneToken", t);
    return JsonText.write(body).getBytes(StandardCharsets.UTF_8);
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").strip();
    return t.length() > 500 ? t.substring(0, 500) + "..." : t;
  }
}
