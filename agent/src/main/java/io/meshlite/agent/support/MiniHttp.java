package io.meshlite.agent.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny HTTP/1.1 client for loopback and plaintext calls: one request per connection ({@code
 * Connection: close}), over TCP or a Unix socket, with one deadline for the whole exchange and no
 * threads of its own. The agent uses it for Envoy's admin API and for plaintext {@code
 * /bootstrap}; the TLS transport to the control plane sends and parses the same bytes over an
 * {@code SSLSocket}.
 */
public final class MiniHttp {
  private static final int MAX_RESPONSE = 16 << 20;
  private static final byte[] CRLFCRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

  private MiniHttp() {}

  /**
   * A response.
   *
   * @param headers header names in lower case (last value wins)
   */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends one request and reads the whole response.
   *
   * @param host the Host header
   * @param target path and query
   * @throws java.net.ConnectException when nothing listens
   * @throws SocketTimeoutException when the exchange does not finish within {@code timeout}
   * @throws InterruptedIOException when the calling thread is interrupted
   */
  public static Response exchange(
      SocketAddress address,
      String host,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body,
      Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteBuffer out = ByteBuffer.wrap(request(host, method, target, headers, body));

    try (SocketChannel ch = address instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open();
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      SelectionKey key = ch.register(selector, 0);
      if (!ch.connect(address)) {
        while (!ch.finishConnect()) {
          await(key, SelectionKey.OP_CONNECT, deadline, address);
        }
      }
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) {
          await(key, SelectionKey.OP_WRITE, deadline, address);
        }
      }
      ResponseBuffer response = new ResponseBuffer(address);
      ByteBuffer in = ByteBuffer.allocate(8192);
      while (true) {
        int n = ch.read(in);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          await(key, SelectionKey.OP_READ, deadline, address);
          continue;
        }
        boolean whole = response.add(in.array(), 0, in.position());
        in.clear();
        if (whole) {
          break;
        }
      }
      return response.parse();
    }
  }

  /**
   * The bytes of one HTTP/1.1 request with {@code Connection: close}, as {@link #exchange} sends it.
   *
   * @param host the Host header
   * @param target path and query
   */
  public static byte[] request(String host, String method, String target, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("User-Agent: kuma-dp\r\nConnection: close\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(headBytes, headBytes.length + body.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return all;
  }

  /** Path and query of a URI, as a request target ({@code /} when it has no path). */
  public static String target(URI uri) {
    return (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /** The address of an http URI's authority (default port 80). */
  public static InetSocketAddress address(String host, int port) {
    return address(host, port, 80);
  }

  /** The address of a URI's host and port, with the scheme's default port when it names none. */
  public static InetSocketAddress address(String host, int port, int defaultPort) {
    return new InetSocketAddress(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port < 0 ? defaultPort : port);
  }

  private static void await(SelectionKey key, int op, long deadline, SocketAddress address) throws IOException {
    if (Thread.interrupted()) {
      // select() returns at once while the interrupt is pending: stop instead of spinning.
      throw new InterruptedIOException("interrupted while talking to " + address);
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("no answer from " + address + " in time");
    }
    key.interestOps(op);
    key.selector().select(Math.max(1, left / 1_000_000));
    key.selector().selectedKeys().clear();
  }

  /**
   * The bytes of one response as they arrive, over any transport: knows when they hold the whole
   * response and refuses more than 16 MiB.
   */
  public static final class ResponseBuffer {
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final Object from;

    /** @param from the peer, for the error message */
    public ResponseBuffer(Object from) {
      this.from = from;
    }

    /**
     * Adds bytes read; true once the buffer holds a whole response.
     *
     * @throws IOException when the response grows past the limit
     */
    public boolean add(byte[] bytes, int offset, int length) throws IOException {
      raw.write(bytes, offset, length);
      if (raw.size() > MAX_RESPONSE) {
        throw new IOException("response from " + from + " is larger than " + MAX_RESPONSE + " bytes");
      }
      return complete(raw.toByteArray());
    }

    /** The response read so far (the peer may also have ended it by closing the connection). */
    public Response parse() throws IOException {
      return MiniHttp.parse(raw.toByteArray());
    }
  }

  /** True when the bytes hold a whole response (by Content-Length or the last chunk). */
  static boolean complete(byte[] raw) throws IOException {
    int headerEnd = indexOf(raw, CRLFCRLF, 0);
    if (headerEnd < 0) {
      return false;
    }
    Map<String, String> headers = headers(raw, headerEnd);
    int start = headerEnd + 4;
    if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      return endsWith(raw, "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    String length = headers.get("content-length");
    if (length != null) {
      return raw.length - start >= Integer.parseInt(length.strip());
    }
    int status = statusOf(raw, headerEnd);
    return status == 204 || status == 304 || (status >= 100 && status < 200);
  }

  /** Parses a raw HTTP/1.1 response (status line, headers, sized, chunked or close-delimited body). */
  public static Response parse(byte[] raw) throws IOException {
    int headerEnd = indexOf(raw, CRLFCRLF, 0);
    if (headerEnd < 0) {
      throw new IOException("incomplete HTTP response");
    }
    int status = statusOf(raw, headerEnd);
    Map<String, String> headers = headers(raw, headerEnd);
    int start = headerEnd + 4;
    byte[] body;
    if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      body = dechunk(raw, start);
    } else if (headers.containsKey("content-length")) {
      body = Arrays.copyOfRange(raw, start, Math.min(raw.length, start + Integer.parseInt(headers.get("content-length").strip())));
    } else {
      body = Arrays.copyOfRange(raw, start, raw.length);
    }
    return new Response(status, headers, body);
  }

  private static int statusOf(byte[] raw, int headerEnd) throws IOException {
    int lineEnd = indexOf(raw, CRLF, 0);
    String line = new String(raw, 0, lineEnd < 0 ? headerEnd : lineEnd, StandardCharsets.ISO_8859_1);
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + line);
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP response: " + line, e);
    }
  }

  private static Map<String, String> headers(byte[] raw, int headerEnd) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] lines = new String(raw, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
    }
    return headers;
  }

  private static byte[] dechunk(byte[] raw, int pos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (pos < raw.length) {
      int lineEnd = indexOf(raw, CRLF, pos);
      if (lineEnd < 0) {
        throw new IOException("truncated chunked response");
      }
      String sizeText = new String(raw, pos, lineEnd - pos, StandardCharsets.US_ASCII);
      int semi = sizeText.indexOf(';');
      int size;
      try {
        size = Integer.parseInt((semi >= 0 ? sizeText.substring(0, semi) : sizeText).strip(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size \"" + sizeText + "\"", e);
      }
      pos = lineEnd + 2;
      if (size == 0) {
        break;
      }
      if (pos + size > raw.length) {
        throw new IOException("truncated chunk");
      }
      out.write(raw, pos, size);
      pos += size + 2;
    }
    return out.toByteArray();
  }

  private static boolean endsWith(byte[] hay, byte[] suffix) {
    if (hay.length < suffix.length) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      if (hay[hay.length - suffix.length + i] != suffix[i]) {
        return false;
      }
    }
    return true;
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
