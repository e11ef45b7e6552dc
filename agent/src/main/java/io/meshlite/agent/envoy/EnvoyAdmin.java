package io.meshlite.agent.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshlite.api.resource.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A tiny HTTP/1.1 client for Envoy's admin API over TCP or a Unix socket. It speaks just enough
 * HTTP for the admin endpoints (one request per connection, chunked or sized bodies) so the agent
 * needs no HTTP library for it.
 */
public final class EnvoyAdmin {
  private static final int MAX_RESPONSE = 16 << 20;

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
    JsonNode root = Json.mapper().readTree(listeners.body());
    for (JsonNode l : root.path("listener_statuses")) {
      String name = l.path("name").asText("");
      if (!name.startsWith("inbound:")) {
        continue;
      }
      JsonNode sa = l.path("local_address").path("socket_address");
      if (sa.isObject()) {
        String addr = sa.path("address").asText("").replace(':', '_');
        statKeys.add("listener." + addr + "_" + sa.path("port_value").asInt() + ".downstream_cx_active");
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
    // Connecting over loopback either succeeds at once (the kernel's backlog) or is refused; the
    // watchdog bounds the exchange that follows.
    SocketChannel ch = SocketChannel.open(endpoint.socketAddress());
    Thread watchdog = Thread.ofVirtual().name("envoy-admin-timeout").start(closeAfter(ch, timeout));
    try (SocketChannel c = ch) {
      String request = method + " " + pathAndQuery + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nUser-Agent: kuma-dp\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
      ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
      while (out.hasRemaining()) {
        c.write(out);
      }
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (c.read(buf) >= 0) {
        raw.write(buf.array(), 0, buf.position());
        buf.clear();
        if (raw.size() > MAX_RESPONSE) {
          throw new IOException("Envoy admin response larger than " + MAX_RESPONSE + " bytes");
        }
      }
      return parse(raw.toByteArray());
    } catch (AsynchronousCloseException e) {
      throw new IOException("Envoy admin " + endpoint + " did not answer " + pathAndQuery + " within " + timeout.toMillis() + " ms", e);
    } finally {
      watchdog.interrupt();
    }
  }

  private static Runnable closeAfter(SocketChannel ch, Duration timeout) {
    return () -> {
      try {
        Thread.sleep(timeout);
        ch.close();
      } catch (InterruptedException | IOException e) {
        // finished in time, or already closed
      }
    };
  }

  /** Parses a raw HTTP/1.1 response (status line, headers, sized, chunked or close-delimited body). */
  static Response parse(byte[] raw) throws IOException {
    int headerEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (headerEnd < 0) {
      throw new IOException("incomplete HTTP response from Envoy admin");
    }
    String[] head = new String(raw, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = head[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + head[0]);
    }
    int status = Integer.parseInt(statusLine[1]);
    boolean chunked = false;
    int length = -1;
    for (int i = 1; i < head.length; i++) {
      int colon = head[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = head[i].substring(colon + 1).strip();
      if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      } else if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      }
    }
    int start = headerEnd + 4;
    byte[] body;
    if (chunked) {
      body = dechunk(raw, start);
    } else {
      int end = length >= 0 ? Math.min(raw.length, start + length) : raw.length;
      body = Arrays.copyOfRange(raw, start, end);
    }
    return new Response(status, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] raw, int pos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    while (pos < raw.length) {
      int lineEnd = indexOf(raw, crlf, pos);
      if (lineEnd < 0) {
        throw new IOException("truncated chunked response from Envoy admin");
      }
      String sizeText = new String(raw, pos, lineEnd - pos, StandardCharsets.US_ASCII);
      int semi = sizeText.indexOf(';');
      int size = Integer.parseInt((semi >= 0 ? sizeText.substring(0, semi) : sizeText).strip(), 16);
      pos = lineEnd + 2;
      if (size == 0) {
        break;
      }
      if (pos + size > raw.length) {
        throw new IOException("truncated chunk in response from Envoy admin");
      }
      out.write(raw, pos, size);
      pos += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
