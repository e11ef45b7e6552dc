package io.meshlite.agent.metrics;

import io.meshlite.agent.envoy.EnvoyAdmin;
import io.meshlite.agent.support.MiniHttp;
import io.meshlite.api.bootstrap.BootstrapResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves merged Prometheus metrics (Envoy's and the application's) on a Unix socket and optionally
 * on a TCP address. See the package note.
 */
public final class MetricsHijacker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHijacker.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_REQUEST_HEAD = 16 << 10;
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String ACCEPT = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1";

  private final Supplier<Optional<EnvoyAdmin>> envoy;
  private final Supplier<String> own;
  private final Selector selector;
  private final List<ServerSocketChannel> listeners;
  private final Path socketPath;
  private final Thread thread;
  private volatile List<BootstrapResponse.Aggregate> aggregates;

  private MetricsHijacker(
      Supplier<Optional<EnvoyAdmin>> envoy,
      Supplier<String> own,
      List<BootstrapResponse.Aggregate> aggregates,
      Selector selector,
      List<ServerSocketChannel> listeners,
      Path socketPath) {
    this.envoy = envoy;
    this.own = own;
    this.aggregates = List.copyOf(aggregates);
    this.selector = selector;
    this.listeners = listeners;
    this.socketPath = socketPath;
    this.thread = Thread.ofPlatform().name("metrics-hijacker").daemon(true).stackSize(256 << 10).unstarted(this::serve);
  }

  /** Kuma's socket path: {@code <workdir>/kuma-mh-<name>-<mesh>}, cut to 98 characters, {@code .sock}. */
  public static Path socketPath(Path workDir, String name, String mesh) {
    String base = "kuma-mh-" + name + "-" + mesh;
    if (base.length() > 98) {
      base = base.substring(0, 98);
    }
    return workDir.resolve(base + ".sock");
  }

  /**
   * Binds the listeners and starts serving.
   *
   * @param socket the Unix socket to serve on, or null for none
   * @param tcp the TCP address to serve on, or null for none
   * @param envoy Envoy's admin API while Envoy runs
   * @throws IOException when a listener cannot be bound (the message names it)
   */
  public static MetricsHijacker start(
      Path socket,
      InetSocketAddress tcp,
      Supplier<Optional<EnvoyAdmin>> envoy,
      List<BootstrapResponse.Aggregate> aggregates)
      throws IOException {
    return start(socket, tcp, envoy, () -> "", aggregates);
  }

  /**
   * Binds the listeners and starts serving, with kuma-dp's own metrics ({@code own}, Prometheus
   * text, e.g. the DNS stub's counters) after Envoy's.
   */
  public static MetricsHijacker start(
      Path socket,
      InetSocketAddress tcp,
      Supplier<Optional<EnvoyAdmin>> envoy,
      Supplier<String> own,
      List<BootstrapResponse.Aggregate> aggregates)
      throws IOException {
    Selector selector = Selector.open();
    List<ServerSocketChannel> listeners = new ArrayList<>();
    Path bound = null;
    try {
      if (socket != null) {
        claimSocket(socket);
        ServerSocketChannel uds = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listeners.add(uds);
        try {
          uds.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
          throw new IOException("cannot listen on " + socket + " (" + e.getMessage() + ")", e);
        }
        bound = socket;
      }
      if (tcp != null) {
        ServerSocketChannel ch = ServerSocketChannel.open();
        listeners.add(ch);
        try {
          ch.bind(tcp);
        } catch (IOException e) {
          throw new IOException("cannot listen on " + tcp.getHostString() + ":" + tcp.getPort() + " (" + e.getMessage() + ")", e);
        }
      }
      for (ServerSocketChannel ch : listeners) {
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_ACCEPT);
      }
    } catch (IOException | RuntimeException e) {
      for (ServerSocketChannel ch : listeners) {
        ch.close();
      }
      selector.close();
      if (bound != null) {
        Files.deleteIfExists(bound);
      }
      throw e;
    }
    MetricsHijacker h = new MetricsHijacker(envoy, own, aggregates, selector, listeners, bound);
    h.thread.start();
    return h;
  }

  /** A stale socket file from an earlier run is removed; one that answers belongs to a live agent. */
  private static void claimSocket(Path socket) throws IOException {
    if (!Files.exists(socket)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      throw new IOException("cannot listen on " + socket + ": another kuma-dp serves metrics there");
    } catch (IOException refused) {
      if (refused.getMessage() != null && refused.getMessage().contains("another kuma-dp")) {
        throw refused;
      }
      Files.deleteIfExists(socket);
    }
  }

  /** The bound TCP port, or -1 without a TCP listener. */
  public int tcpPort() {
    for (ServerSocketChannel ch : listeners) {
      try {
        if (ch.getLocalAddress() instanceof InetSocketAddress a) {
          return a.getPort();
        }
      } catch (IOException e) {
        return -1;
      }
    }
    return -1;
  }

  /** The application endpoints to merge (replaced when a fresh bootstrap arrives). */
  public void aggregates(List<BootstrapResponse.Aggregate> list) {
    this.aggregates = List.copyOf(list);
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("closing the metrics selector: {}", e.getMessage());
    }
    for (ServerSocketChannel ch : listeners) {
      try {
        ch.close();
      } catch (IOException e) {
        log.debug("closing a metrics listener: {}", e.getMessage());
      }
    }
    try {
      thread.join(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (socketPath != null) {
      try {
        Files.deleteIfExists(socketPath);
      } catch (IOException e) {
        log.debug("could not remove {}: {}", socketPath, e.getMessage());
      }
    }
  }

  private void serve() {
    try {
      while (selector.isOpen()) {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          if (key.isValid() && key.isAcceptable()) {
            SocketChannel conn = ((ServerSocketChannel) key.channel()).accept();
            if (conn != null) {
              handle(conn);
            }
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (ClosedSelectorException closed) {
      // stopped
    } catch (IOException | RuntimeException e) {
      if (selector.isOpen()) {
        log.warn("metrics endpoint stopped: {}", e.toString());
      }
    }
  }

  private void handle(SocketChannel conn) {
    try (conn; Selector s = Selector.open()) {
      conn.configureBlocking(false);
      SelectionKey key = conn.register(s, SelectionKey.OP_READ);
      long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
      String head = readHead(conn, key, deadline);
      if (head == null) {
        return;
      }
      String[] requestLine = head.substring(0, Math.max(0, head.indexOf("\r\n"))).split(" ");
      if (requestLine.length < 2) {
        write(conn, key, deadline, response(400, "text/plain", "bad request\n", false));
        return;
      }
      String method = requestLine[0];
      boolean headOnly = method.equals("HEAD");
      if (!method.equals("GET") && !headOnly) {
        write(conn, key, deadline, response(405, "text/plain", "method not allowed\n", false));
        return;
      }
      String target = requestLine[1];
      int q = target.indexOf('?');
      boolean usedOnly = q >= 0 && ("&" + target.substring(q + 1) + "&").contains("&usedonly");
      String body = scrape(usedOnly);
      int status = body == null ? 503 : 200;
      String text = body == null ? "no metrics could be scraped (Envoy not running?)\n" : body;
      write(conn, key, System.nanoTime() + REQUEST_TIMEOUT.toNanos(),
          response(status, status == 200 ? CONTENT_TYPE : "text/plain", text, headOnly));
    } catch (IOException | RuntimeException e) {
      log.debug("metrics request failed: {}", e.toString());
    }
  }

  /**
   * Envoy's stats, each application's, then kuma-dp's own; null when neither Envoy nor an
   * application answered.
   */
  String scrape(boolean usedOnly) {
    List<MetricsMerger.Body> bodies = new ArrayList<>();
    Optional<EnvoyAdmin> admin = envoy.get();
    if (admin.isPresent()) {
      try {
        EnvoyAdmin.Response r = admin.get().call("GET", "/stats?format=prometheus&text_readouts" + (usedOnly ? "&usedonly" : ""));
        if (r.status() == 200) {
          bodies.add(new MetricsMerger.Body(r.body(), true));
        } else {
          log.debug("Envoy stats answered {}", r.status());
        }
      } catch (IOException e) {
        log.debug("could not scrape Envoy: {}", e.getMessage());
      }
    }
    for (BootstrapResponse.Aggregate a : aggregates) {
      try {
        SocketAddress address = MiniHttp.address(a.address(), a.port());
        String host = (a.address().contains(":") ? "[" + a.address() + "]" : a.address()) + ":" + a.port();
        MiniHttp.Response r = MiniHttp.exchange(address, host, "GET", a.path(), Map.of("Accept", ACCEPT), new byte[0],
            SCRAPE_TIMEOUT);
        if (r.status() == 200) {
          bodies.add(new MetricsMerger.Body(r.text(), false));
        } else {
          log.debug("application metrics {} answered {}", a.name(), r.status());
        }
      } catch (IOException | RuntimeException e) {
        log.debug("could not scrape application metrics {} at {}:{}{}: {}", a.name(), a.address(), a.port(), a.path(),
            e.getMessage());
      }
    }
    if (bodies.isEmpty()) {
      return null;
    }
    try {
      String mine = own.get();
      if (mine != null && !mine.isEmpty()) {
        bodies.add(new MetricsMerger.Body(mine, false));
      }
    } catch (RuntimeException e) {
      log.debug("kuma-dp's own metrics failed: {}", e.toString());
    }
    return MetricsMerger.merge(bodies);
  }

  private static String readHead(SocketChannel conn, SelectionKey key, long deadline) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(2048);
    while (true) {
      int n = conn.read(buf);
      if (n < 0) {
        return null;
      }
      if (n > 0) {
        raw.write(buf.array(), 0, buf.position());
        buf.clear();
        String text = raw.toString(StandardCharsets.ISO_8859_1);
        if (text.contains("\r\n\r\n")) {
          return text;
        }
        if (raw.size() > MAX_REQUEST_HEAD) {
          return null;
        }
        continue;
      }
      if (!await(key, SelectionKey.OP_READ, deadline)) {
        return null;
      }
    }
  }

  private static void write(SocketChannel conn, SelectionKey key, long deadline, ByteBuffer out) throws IOException {
    while (out.hasRemaining()) {
      if (conn.write(out) == 0 && !await(key, SelectionKey.OP_WRITE, deadline)) {
        return;
      }
    }
  }

  private static boolean await(SelectionKey key, int op, long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    key.interestOps(op);
    key.selector().select(Math.max(1, left / 1_000_000));
    key.selector().selectedKeys().clear();
    return true;
  }

  private static ByteBuffer response(int status, String contentType, String body, boolean headOnly) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String reason = switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 405 -> "Method Not Allowed";
      default -> "Service Unavailable";
    };
    String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
        + "Content-Type: " + contentType + "\r\n"
        + "Content-Length: " + bytes.length + "\r\n"
        + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
        + "Connection: close\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer out = ByteBuffer.allocate(h.length + (headOnly ? 0 : bytes.length)).put(h);
    if (!headOnly) {
      out.put(bytes);
    }
    return out.flip();
  }

  @Override
  public String toString() {
    return "MetricsHijacker[" + (socketPath == null ? "" : "unix:" + socketPath) + (tcpPort() > 0 ? " tcp:" + tcpPort() : "")
        + "]";
  }
}
