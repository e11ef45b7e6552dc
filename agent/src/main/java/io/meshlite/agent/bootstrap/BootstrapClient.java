package io.meshlite.agent.bootstrap;

import io.meshlite.agent.support.MiniHttp;
import io.meshlite.agent.support.Ticker;
import io.meshlite.api.bootstrap.BootstrapJson;
import io.meshlite.api.bootstrap.BootstrapRequest;
import io.meshlite.api.bootstrap.BootstrapResponse;
import io.meshlite.api.time.GoDuration;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the Envoy bootstrap with {@code POST <cp-address>/bootstrap}, handling status codes as
 * Kuma's kuma-dp does:
 *
 * <ul>
 *   <li>200: done;
 *   <li>404 with an empty body: the Dataplane (or its Mesh) is not in the store yet, retried;
 *   <li>404 with {@code 404: Page Not Found}: the address is not a dataplane server, retried with a
 *       hint;
 *   <li>other 4xx: fatal, {@code Invalid request: <body>};
 *   <li>5xx, connection errors and local errors while preparing the request: retried.
 * </ul>
 *
 * Retries wait a constant backoff (3s) until a maximum duration (5m) has passed.
 */
public final class BootstrapClient {
  private static final Logger log = LoggerFactory.getLogger(BootstrapClient.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final String PAGE_NOT_FOUND = "404: Page Not Found";
  private static final Map<String, String> HEADERS =
      Map.of("Accept", "application/json", "Content-Type", "application/json");

  /** Builds the request for one attempt (it re-reads the token, so it may fail). */
  @FunctionalInterface
  public interface RequestSource {
    BootstrapRequest next() throws IOException;
  }

  /** What one attempt came to. */
  sealed interface Outcome {
    record Ok(BootstrapResponse response) implements Outcome {}

    record NotFound() implements Outcome {}

    record WrongPort() implements Outcome {}

    record Invalid(int status, String body) implements Outcome {}

    record ServerError(int status, String body) implements Outcome {}

    record Unreachable(String reason) implements Outcome {}

    record LocalError(String reason) implements Outcome {}

    /** TLS cannot work (untrusted certificate, wrong name): retrying does not help. */
    record Untrusted(String reason) implements Outcome {}
  }

  private final ControlPlaneTransport transport;
  private final String cpAddress;
  private final URI endpoint;
  private final Duration backoff;
  private final Duration maxDuration;
  private final Ticker ticker;

  public BootstrapClient(
      ControlPlaneTransport transport, URI cpAddress, Duration backoff, Duration maxDuration, Ticker ticker) {
    this.transport = transport;
    this.cpAddress = cpAddress.toString();
    this.endpoint = URI.create(this.cpAddress + "/bootstrap");
    this.backoff = backoff;
    this.maxDuration = maxDuration;
    this.ticker = ticker;
  }

  /**
   * Fetches the bootstrap, retrying as Kuma does until it succeeds, a fatal answer comes, the
   * retries run out or {@code cancel} opens.
   *
   * @throws BootstrapException with a one-line message for the user
   * @throws CancellationException when {@code cancel} opened
   */
  public BootstrapResponse fetch(RequestSource requests, CountDownLatch cancel)
      throws BootstrapException, InterruptedException {
    long start = ticker.nanoTime();
    int attempt = 0;
    while (true) {
      if (cancel.getCount() == 0) {
        throw new CancellationException("stopped while fetching the bootstrap");
      }
      attempt++;
      BootstrapRequest request = null;
      Outcome outcome;
      try {
        request = requests.next();
        outcome = attempt(request);
      } catch (IOException | RuntimeException e) {
        outcome = new Outcome.LocalError(String.valueOf(e.getMessage()));
      }
      if (outcome instanceof Outcome.Ok ok) {
        log.info("received the Envoy bootstrap from cp={} attempt={}", cpAddress, attempt);
        return ok.response();
      }
      if (outcome instanceof Outcome.Invalid invalid) {
        throw new BootstrapException(invalidMessage(invalid));
      }
      if (outcome instanceof Outcome.Untrusted untrusted) {
        throw new BootstrapException(untrusted.reason());
      }
      Duration elapsed = ticker.since(start);
      if (elapsed.plus(backoff).compareTo(maxDuration) > 0) {
        throw new BootstrapException(exhaustedMessage(outcome, request));
      }
      logRetry(outcome, request);
      if (ticker.await(cancel, backoff)) {
        throw new CancellationException("stopped while fetching the bootstrap");
      }
    }
  }

  /**
   * One attempt without retries (used before an Envoy restart; the caller keeps the previous
   * bootstrap when it fails).
   */
  public BootstrapResponse fetchOnce(RequestSource requests) throws BootstrapException, IOException, InterruptedException {
    Outcome outcome = attempt(requests.next());
    return switch (outcome) {
      case Outcome.Ok ok -> ok.response();
      case Outcome.Invalid invalid -> throw new BootstrapException(invalidMessage(invalid));
      case Outcome.Untrusted untrusted -> throw new BootstrapException(untrusted.reason());
      default -> throw new BootstrapException(retryReason(outcome, null));
    };
  }

  /**
   * Why the control plane does not take this proxy now, asked with one bootstrap request: its
   * refusal (a bad token, a missing Dataplane, an untrusted certificate), or empty when it answers
   * or cannot be reached.
   */
  public Optional<String> refusal(RequestSource requests) throws InterruptedException {
    Outcome outcome;
    try {
      outcome = attempt(requests.next());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return switch (outcome) {
      case Outcome.Invalid invalid -> Optional.of(invalidMessage(invalid));
      case Outcome.Untrusted untrusted -> Optional.of(untrusted.reason());
      case Outcome.NotFound nf -> Optional.of(retryReason(nf, null));
      default -> Optional.empty();
    };
  }

  /** Sends one request and classifies the answer. */
  Outcome attempt(BootstrapRequest request) throws InterruptedException {
    byte[] body;
    try {
      body = BootstrapJson.request(request);
    } catch (IllegalArgumentException e) {
      return new Outcome.LocalError("cannot encode the request: " + e.getMessage());
    }
    MiniHttp.Response resp;
    try {
      resp = transport.post(endpoint, HEADERS, body, REQUEST_TIMEOUT);
    } catch (SocketTimeoutException e) {
      return new Outcome.Unreachable("no answer within " + GoDuration.format(REQUEST_TIMEOUT));
    } catch (ConnectException e) {
      return new Outcome.Unreachable("connection refused");
    } catch (TlsFailure e) {
      return new Outcome.Untrusted(e.getMessage());
    } catch (IOException e) {
      return new Outcome.Unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    int status = resp.status();
    String text = new String(resp.body(), StandardCharsets.UTF_8).strip();
    if (status == 200) {
      return ok(resp, text);
    }
    if (status == 404) {
      return text.isEmpty() ? new Outcome.NotFound() : text.startsWith(PAGE_NOT_FOUND) ? new Outcome.WrongPort()
          : new Outcome.Invalid(status, text);
    }
    if (status >= 400 && status < 500) {
      return new Outcome.Invalid(status, text);
    }
    return new Outcome.ServerError(status, text);
  }

  private Outcome ok(MiniHttp.Response resp, String text) {
    String type = resp.headers().getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
    if (type.contains("yaml")) {
      // Legacy answer: the raw bootstrap YAML.
      return resp.body().length == 0
          ? new Outcome.ServerError(200, "empty bootstrap")
          : new Outcome.Ok(new BootstrapResponse(resp.body(), null));
    }
    try {
      BootstrapResponse r = BootstrapJson.parseResponse(resp.body());
      if (r.bootstrap() == null || r.bootstrap().length == 0) {
        return new Outcome.ServerError(200, "the answer has no bootstrap");
      }
      return new Outcome.Ok(r);
    } catch (IllegalArgumentException e) {
      return new Outcome.ServerError(200, "the answer is not bootstrap JSON: " + oneLine(text));
    }
  }

  private void logRetry(Outcome outcome, BootstrapRequest request) {
    String in = GoDuration.format(backoff);
    switch (outcome) {
      case Outcome.NotFound nf -> log.warn(
          "Dataplane {} not found yet on the control plane cp={}; retrying in {}. On Universal, apply it first "
              + "(kumactl apply -f dataplane.yaml) or pass it with --dataplane-file",
          dpName(request), cpAddress, in);
      default -> log.warn("{}; retrying in {}", retryReason(outcome, request), in);
    }
  }

  private String retryReason(Outcome outcome, BootstrapRequest request) {
    return switch (outcome) {
      case Outcome.NotFound nf -> "Dataplane " + dpName(request) + " not found on the control plane " + cpAddress;
      case Outcome.WrongPort wp -> endpoint + " answered \"" + PAGE_NOT_FOUND + "\": --cp-address must point at "
          + "the control plane's dataplane server (port 5678), not its API server (5681)";
      case Outcome.ServerError se -> "control plane " + cpAddress + " answered HTTP " + se.status()
          + (se.body().isEmpty() ? "" : ": " + oneLine(se.body()));
      case Outcome.Unreachable u -> "control plane " + cpAddress + " is not reachable (" + oneLine(u.reason()) + ")";
      case Outcome.LocalError le -> "could not prepare the bootstrap request (" + oneLine(le.reason()) + ")";
      case Outcome.Invalid inv -> invalidMessage(inv);
      case Outcome.Untrusted u -> u.reason();
      case Outcome.Ok ok -> "ok";
    };
  }

  private String exhaustedMessage(Outcome outcome, BootstrapRequest request) {
    String after = " (gave up after " + GoDuration.format(maxDuration) + ")";
    return switch (outcome) {
      case Outcome.NotFound nf -> "Dataplane " + dpName(request) + " was not found on the control plane "
          + cpAddress + after + ": apply it first (kumactl apply -f dataplane.yaml) or pass it with --dataplane-file";
      case Outcome.Unreachable u -> "could not reach the control plane at " + cpAddress + after + ", last error: "
          + oneLine(u.reason()) + ": check --cp-address (KUMA_CONTROL_PLANE_URL) and that kuma-cp is running";
      case Outcome.ServerError se -> "Failed to fetch Envoy bootstrap config: " + retryReason(se, request) + after
          + ": check the kuma-cp logs";
      default -> "Failed to fetch Envoy bootstrap config: " + retryReason(outcome, request) + after;
    };
  }

  private static String invalidMessage(Outcome.Invalid invalid) {
    String body = invalid.body().isEmpty()
        ? "the control plane rejected the request (HTTP " + invalid.status() + ")"
        : oneLine(invalid.body());
    if (invalid.status() == 401) {
      return "the control plane refused the dataplane token: " + body;
    }
    return "Invalid request: " + body;
  }

  private static String dpName(BootstrapRequest request) {
    return request == null ? "" : "\"" + request.mesh() + "/" + request.name() + "\"";
  }

  private static String oneLine(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() > 500 ? t.substring(0, 500) + "..." : t;
  }
}
