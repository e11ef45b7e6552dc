package io.meshlite.kumactl.client;

import io.meshlite.api.time.GoDuration;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Talks to one control plane's REST API. Every call either returns the answer (any status) or
 * throws {@link ApiUnreachableException} with a message naming the address and what to check.
 */
public final class ApiClient implements AutoCloseable {
  private final String base;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final Consumer<String> debug;
  private final HttpClient http;

  /**
   * @param baseUrl the API server URL, e.g. {@code http://localhost:5681}
   * @param timeout the timeout of each call (connect and answer); zero means none
   * @param headers headers added to every request
   * @param debug receives one line per request when debug logging is on
   */
  public ApiClient(String baseUrl, Duration timeout, Map<String, String> headers, Consumer<String> debug) {
    this(baseUrl, timeout, headers, debug, null);
  }

  /**
   * @param ssl the TLS settings for an {@code https://} address (trusted CA, client certificate),
   *     or null for the JDK defaults
   */
  public ApiClient(String baseUrl, Duration timeout, Map<String, String> headers, Consumer<String> debug, SSLContext ssl) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.debug = debug;
    HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    if (!timeout.isZero()) {
      b.connectTimeout(timeout);
    }
    this.http = b.build();
  }

  /** The API server URL this client talks to. */
  public String baseUrl() {
    return base;
  }

  /** GET {@code path} with optional query parameters (each value encoded). */
  public ApiResponse get(String path, Map<String, List<String>> query) {
    return send("GET", path + queryString(query), HttpRequest.BodyPublishers.noBody());
  }

  /** GET {@code path}. */
  public ApiResponse get(String path) {
    return get(path, Map.of());
  }

  /** PUT a JSON body to {@code path}. */
  public ApiResponse put(String path, String json) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
  }

  /** POST a JSON body to {@code path} (the answer may be text, e.g. a token). */
  public ApiResponse post(String path, String json) {
    return send("POST", path, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
  }

  /** DELETE {@code path}. */
  public ApiResponse delete(String path) {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody());
  }

  /** Encodes one path segment (names are restricted by validation, but stay safe). */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Builds a query map keeping insertion order. */
  public static Map<String, List<String>> query() {
    return new LinkedHashMap<>();
  }

  private ApiResponse send(String method, String pathAndQuery, HttpRequest.BodyPublisher body) {
    URI uri;
    try {
      uri = URI.create(base + pathAndQuery);
    } catch (IllegalArgumentException e) {
      throw new ApiUnreachableException(
          "control plane address \"" + base + "\" is not a valid URL: " + e.getMessage(), e);
    }
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(uri).method(method, body).header("Accept", "application/json");
    if (method.equals("PUT") || method.equals("POST")) {
      rb.header("Content-Type", "application/json");
    }
    if (!timeout.isZero()) {
      rb.timeout(timeout);
    }
    headers.forEach(rb::header);
    try {
      HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      debug.accept(method + " " + uri + " -> " + r.statusCode());
      return new ApiResponse(r.statusCode(), r.body());
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("timed out connecting to the control plane at " + base, e);
    } catch (HttpTimeoutException e) {
      throw unreachable(
          "the control plane at " + base + " did not answer " + method + " " + pathAndQuery
              + " within " + timeoutText() + " (raise --api-timeout or check kuma-cp)",
          e);
    } catch (ConnectException e) {
      String why = rootMessage(e);
      throw unreachable(
          "could not connect to the control plane at " + base + (why.isEmpty() ? "" : ": " + why)
              + " (is kuma-cp running at " + base + "?)",
          e);
    } catch (SSLHandshakeException e) {
      throw unreachable(TlsSettings.describe(base, e), e);
    } catch (IOException e) {
      if (e.getCause() instanceof UnresolvedAddressException) {
        throw unreachable("could not resolve the host of the control plane address " + base, e);
      }
      String why = rootMessage(e);
      throw unreachable(
          "request to the control plane at " + base + " failed" + (why.isEmpty() ? "" : ": " + why)
              + " (is kuma-cp running at " + base + "?)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable("interrupted while talking to the control plane at " + base, e);
    } catch (IllegalArgumentException e) {
      throw unreachable("control plane address \"" + base + "\" is not usable: " + e.getMessage(), e);
    }
  }

  private ApiUnreachableException unreachable(String msg, Throwable cause) {
    debug.accept(msg);
    return new ApiUnreachableException(msg, cause);
  }

  private String timeoutText() {
    return GoDuration.format(timeout);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    String msg = "";
    List<Throwable> seen = new ArrayList<>();
    while (c != null && !seen.contains(c)) {
      seen.add(c);
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        msg = c.getMessage();
      } else if (c instanceof ConnectException) {
        msg = "connection refused";
      }
      c = c.getCause();
    }
    return msg.toLowerCase(java.util.Locale.ROOT).startsWith("connection refused") ? "connection refused" : msg;
  }

  private static String queryString(Map<String, List<String>> query) {
    List<String> parts = new ArrayList<>();
    query.forEach(
        (k, vs) -> vs.forEach(v -> parts.add(segment(k) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8))));
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  @Override
  public void close() {
    http.close();
  }
}
