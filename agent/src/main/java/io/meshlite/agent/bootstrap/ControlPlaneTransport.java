package io.meshlite.agent.bootstrap;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.support.MiniHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code POST /bootstrap} reaches the control plane. Plain {@code http://} goes through {@link
 * MiniHttp} (no extra threads, no TLS stack loaded); {@code https://} over a blocking {@code
 * SSLSocket}, trusting the configured CA or the system trust store and checking the host name.
 */
public abstract sealed class ControlPlaneTransport implements AutoCloseable {

  /** Sends a POST and returns the whole answer. */
  public abstract MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException;

  /**
   * Starts connecting to {@code uri}'s host and port ahead of the first {@link #post}, where that saves
   * time on the path to the bootstrap (only TLS does: it has a handshake to do). Never fails: a
   * connection that cannot be prepared is simply made by the next {@code post}.
   */
  public void prepare(URI uri) {}

  @Override
  public void close() {}

  /**
   * The transport for the configured address.
   *
   * @throws IllegalArgumentException when the CA certificate does not parse
   */
  public static ControlPlaneTransport forControlPlane(AgentConfig.ControlPlane cp) {
    if ("https".equalsIgnoreCase(cp.address().getScheme())) {
      if (cp.skipVerify()) {
        // Kuma's --skip-verify: only this bootstrap request is unverified (neither chain nor host
        // name); Envoy then verifies the control plane with the CA in the bootstrap.
        LoggerFactory.getLogger(ControlPlaneTransport.class)
            .warn("the control plane's certificate is not verified for the bootstrap request (--skip-verify)");
        return new Tls(trustingAnything(), false, "");
      }
      return new Tls(cp.caCert().isBlank() ? null : trusting(cp.caCert()), true, cp.caCertSource());
    }
    return new Plain();
  }

  /** Plaintext HTTP/1.1. */
  static final class Plain extends ControlPlaneTransport {
    @Override
    public MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
      try {
        return MiniHttp.exchange(MiniHttp.address(uri.getHost(), uri.getPort()), uri.getRawAuthority(), "POST", MiniHttp.target(uri),
            headers, body, timeout);
      } catch (UnresolvedAddressException e) {
        throw new IOException("cannot resolve " + uri.getHost(), e);
      } catch (IOException e) {
        if ("incomplete HTTP response".equals(e.getMessage())) {
          // What a TLS-only server does to a plaintext request: kuma-cp's dataplane server is TLS by default.
          throw new IOException(
              "incomplete HTTP response; if the control plane serves TLS (kuma-cp does by default), use https:// in"
                  + " --cp-address with --ca-cert-file",
              e);
        }
        throw e;
      }
    }
  }

  /**
   * HTTPS/1.1, one request per connection, over a blocking {@link SSLSocket} layered on a {@link
   * SocketChannel}: no client object, no selector thread and no connection pool stay in the process
   * after the bootstrap (the JDK's HTTP client kept ≈ 15 MiB and a thread for the agent's life). The
   * channel underneath makes the exchange interruptible, as {@code HttpClient.send} was: an interrupt
   * closes the connection and the call throws {@link InterruptedException}.
   */
  static final class Tls extends ControlPlaneTransport {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String[] X25519_ONLY = {"x25519"};
    private static final Logger log = LoggerFactory.getLogger(Tls.class);
    private final SSLContext ssl;
    private final boolean verifyHost;
    private final String caSource;
    private final AtomicReference<Prepared> prepared = new AtomicReference<>();
    private volatile boolean allGroups;

    /**
     * @param ssl null for the JDK's default context (the system trust store)
     * @param verifyHost whether the certificate must name the host in the address (Kuma's {@code
     *     --skip-verify} turns this off together with the chain check)
     */
    Tls(SSLContext ssl, boolean verifyHost, String caSource) {
      this.ssl = ssl;
      this.verifyHost = verifyHost;
      this.caSource = caSource;
    }

    @Override
    public MiniHttp.Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
        throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      InetSocketAddress address = MiniHttp.address(uri.getHost(), uri.getPort(), 443);
      if (address.isUnresolved()) {
        throw new IOException("cannot resolve " + uri.getHost());
      }
      byte[] request = MiniHttp.request(uri.getRawAuthority(), "POST", MiniHttp.target(uri), headers, body);
      Connection warm = takePrepared(address, deadline);
      try (Connection c = warm != null ? warm : connect(uri, address, deadline, timeout)) {
        OutputStream out = c.tls.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = c.tls.getInputStream();
        MiniHttp.ResponseBuffer response = new MiniHttp.ResponseBuffer(uri.getRawAuthority());
        byte[] buf = new byte[8192];
        int n;
        do {
          c.tls.setSoTimeout(millisLeft(deadline, timeout));
          n = in.read(buf);
        } while (n >= 0 && !response.add(buf, 0, n));
        return response.parse();
      } catch (IOException e) {
        throw interruptedOrTimeout(e, uri);
      }
    }

    /**
     * Connects and completes the TLS handshake for {@code uri} on a thread of its own, so that the
     * handshake (≈ 100 ms of CPU in a JVM that has just started) overlaps with the rest of kuma-dp's
     * start-up (reading {@code envoy --version}, preparing the request). The next {@link #post} to the
     * same address uses that connection; if it failed, or is not there in time, {@code post} connects
     * afresh and reports that attempt's error, so the outcome is the same as without preparing.
     */
    @Override
    public void prepare(URI uri) {
      InetSocketAddress address = MiniHttp.address(uri.getHost(), uri.getPort(), 443);
      if (address.isUnresolved()) {
        return;
      }
      FutureTask<Connection> task = new FutureTask<>(() -> {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        return connect(uri, address, deadline, CONNECT_TIMEOUT);
      });
      discard(prepared.getAndSet(new Prepared(address, task)));
      Thread.ofPlatform().name("cp-connect").daemon(true).stackSize(256 << 10).start(task);
    }

    @Override
    public void close() {
      discard(prepared.getAndSet(null));
    }

    /** The prepared connection to {@code address}, or null when there is none (or it failed). */
    private Connection takePrepared(InetSocketAddress address, long deadline) throws InterruptedException {
      Prepared p = prepared.getAndSet(null);
      if (p == null) {
        return null;
      }
      if (!p.address.equals(address)) {
        discard(p);
        return null;
      }
      try {
        return p.task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        return null; // connecting afresh reports the error with the request's own context
      } catch (TimeoutException e) {
        discard(p);
        return null;
      } catch (InterruptedException e) {
        discard(p);
        throw e;
      }
    }

    private static void discard(Prepared p) {
      if (p != null && !p.task.cancel(true)) {
        try {
          p.task.get().close();
        } catch (ExecutionException | InterruptedException | CancellationException | IOException e) {
          // nothing open, or nothing more to do about it
        }
      }
    }

    /**
     * A TCP connection with a completed TLS handshake. The first handshake offers the X25519 group only:
     * a TLS 1.3 client sends a key share for each kind of group it offers, and the JDK's default list
     * makes two (X25519 and P-256), ≈ 70 ms of CPU in a JVM that has just started. Kuma's control plane
     * and ours take X25519. A server that does not (one limited to NIST curves) fails that handshake;
     * then this and every later connection offer the JDK's default groups.
     */
    private Connection connect(URI uri, InetSocketAddress address, long deadline, Duration timeout)
        throws IOException, InterruptedException {
      if (!allGroups) {
        try {
          return connect(uri, address, deadline, timeout, X25519_ONLY);
        } catch (OfferRefused e) {
          allGroups = true;
          log.debug("the control plane refused a TLS handshake offering X25519 only ({}); offering the default groups",
              e.getCause().getMessage());
        }
      }
      return connect(uri, address, deadline, timeout, null);
    }

    private Connection connect(URI uri, InetSocketAddress address, long deadline, Duration timeout, String[] groups)
        throws IOException, InterruptedException {
      SocketChannel channel = SocketChannel.open();
      SSLSocket tls = null;
      try {
        Socket plain = channel.socket();
        plain.connect(address, millisLeft(deadline, CONNECT_TIMEOUT));
        tls = (SSLSocket) context().getSocketFactory().createSocket(plain, address.getHostString(), address.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        if (verifyHost && ssl == null) {
          // the system trust store: the JDK's own check (a CA of the user's checks names in CaTrustManager)
          params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (groups != null) {
          params.setNamedGroups(groups);
        }
        tls.setSSLParameters(params);
        tls.setSoTimeout(millisLeft(deadline, timeout));
        try {
          tls.startHandshake();
        } catch (SSLException e) {
          if (groups != null && String.valueOf(e.getMessage()).contains("Received fatal alert")) {
            throw new OfferRefused(e); // the server's alert: our own checks of its certificate fail differently
          }
          if (e instanceof SSLHandshakeException
              || (e.getMessage() != null && e.getMessage().contains("Unsupported or unrecognized SSL message"))) {
            throw TlsFailure.of(e, uri, caSource);
          }
          throw e;
        }
        return new Connection(channel, tls);
      } catch (IOException | RuntimeException e) {
        try (channel) {
          if (tls != null) {
            tls.close();
          }
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e; // post() turns an interrupt or a timeout into its own exception
      }
    }

    /**
     * An interrupt closes the channel; JSSE may wrap the ClosedByInterruptException (as an
     * SSLException during the handshake), so the thread's flag is what tells.
     */
    private static IOException interruptedOrTimeout(IOException e, URI uri) throws InterruptedException {
      if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
        Thread.interrupted();
        InterruptedException ie = new InterruptedException("interrupted while talking to " + uri.getRawAuthority());
        ie.initCause(e);
        throw ie;
      }
      if (e instanceof SocketTimeoutException) {
        return new SocketTimeoutException("no answer from " + uri.getRawAuthority() + " in time");
      }
      return e;
    }

    /** The server ended a handshake that offered fewer groups than the JDK's default. */
    private static final class OfferRefused extends IOException {
      private static final long serialVersionUID = 1L;

      OfferRefused(SSLException cause) {
        super(cause);
      }
    }

    private record Prepared(InetSocketAddress address, FutureTask<Connection> task) {}

    private record Connection(SocketChannel channel, SSLSocket tls) implements AutoCloseable {
      @Override
      public void close() throws IOException {
        try {
          tls.close();
        } finally {
          channel.close();
        }
      }
    }

    private SSLContext context() throws IOException {
      if (ssl != null) {
        return ssl;
      }
      try {
        return SSLContext.getDefault();
      } catch (GeneralSecurityException e) {
        throw new IOException("no default TLS context: " + e.getMessage(), e);
      }
    }

    /** What is left of the deadline, capped, in whole milliseconds (at least 1: 0 means "no timeout"). */
    private static int millisLeft(long deadline, Duration cap) throws SocketTimeoutException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      return (int) Math.max(1, Math.min(cap.toMillis(), left / 1_000_000));
    }
  }

  private static SSLContext trustingAnything() {
    X509TrustManager any =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {any}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(String pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("the control plane CA certificate holds no PEM certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new CaTrustManager(pkix)}, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the control plane CA certificate: " + e.getMessage(), e);
    }
  }
}
