package io.meshlite.agent.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echoes every byte it receives, one virtual thread per connection. As Kuma's kuma-tcp-echo does,
 * a read that holds a whole HTTP request head is echoed and the connection is then closed, so
 * {@code curl http://127.0.0.1:PORT/} ends and prints the request back.
 */
public final class TcpEchoServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpEchoServer.class);
  private static final Pattern REQUEST_LINE =
      Pattern.compile("^[A-Z]+ \\S+ HTTP/\\d(\\.\\d)?\r?\n", Pattern.DOTALL);

  private final ServerSocket server;
  private final Thread acceptor;

  private TcpEchoServer(ServerSocket server) {
    this.server = server;
    this.acceptor = Thread.ofVirtual().name("echo-accept").unstarted(this::acceptLoop);
  }

  /** Binds (port 0 picks a free port) and starts accepting. */
  public static TcpEchoServer start(InetSocketAddress bind) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(bind, 128);
    TcpEchoServer server = new TcpEchoServer(s);
    server.acceptor.start();
    return server;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Blocks until the server is closed. */
  public void join() throws InterruptedException {
    acceptor.join();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void acceptLoop() {
    long n = 0;
    while (!server.isClosed()) {
      try {
        Socket conn = server.accept();
        Thread.ofVirtual().name("echo-" + n++).start(() -> serve(conn));
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private static void serve(Socket conn) {
    try (conn; InputStream in = conn.getInputStream(); OutputStream out = conn.getOutputStream()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
        if (isHttpRequest(buf, n)) {
          String line = new String(buf, 0, n, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
          log.info("HTTP connection: {}", line);
          return;
        }
      }
    } catch (SocketException e) {
      // peer went away
    } catch (IOException e) {
      log.debug("connection failed: {}", e.getMessage());
    }
  }

  /** True when the chunk is a complete HTTP/1.x request head. */
  static boolean isHttpRequest(byte[] buf, int n) {
    String s = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    return REQUEST_LINE.matcher(s).find() && (s.contains("\r\n\r\n") || s.contains("\n\n"));
  }
}
