package io.meshlite.agent.dns;

import io.meshlite.agent.support.MiniHttp;
import io.meshlite.agent.support.Ticker;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the DNS stub's name→VIP table in step with the control plane, as Kuma's config fetcher:
 * polls {@code GET /dns} on the dynamic-config listener Envoy serves on a Unix socket in the work
 * directory (every second, with {@code If-None-Match}), and hands each new table to the stub. A
 * missing socket (no transparent proxying, Envoy not up yet) is normal and stays quiet.
 */
public final class DnsConfigFetcher {
  /** The socket name Kuma's control plane gives the dynamic-config listener. */
  public static final String SOCKET = "kuma-mesh-metric-config.sock";

  private static final Logger log = LoggerFactory.getLogger(DnsConfigFetcher.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Path socket;
  private final Consumer<DnsTable> sink;
  private final Ticker ticker;
  private final Duration interval;
  private String etag;

  public DnsConfigFetcher(Path workDir, Consumer<DnsTable> sink, Ticker ticker, Duration interval) {
    this.socket = workDir.resolve(SOCKET);
    this.sink = sink;
    this.ticker = ticker;
    this.interval = interval;
  }

  /** Polls until {@code stop} opens. */
  public void run(CountDownLatch stop) {
    try {
      do {
        pollOnce();
      } while (!ticker.await(stop, interval));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One poll.
   *
   * @return true when a new table was applied
   */
  public boolean pollOnce() {
    if (!Files.exists(socket)) {
      return false;
    }
    MiniHttp.Response r;
    try {
      r =
          MiniHttp.exchange(
              UnixDomainSocketAddress.of(socket),
              "localhost",
              "GET",
              "/dns",
              etag == null ? Map.of() : Map.of("If-None-Match", etag),
              new byte[0],
              TIMEOUT);
    } catch (IOException e) {
      log.debug("dns config not available socket={} error={}", socket, e.toString());
      return false;
    }
    if (r.status() == 304) {
      return false;
    }
    if (r.status() != 200) {
      log.warn("dns config request failed status={} body={}", r.status(), r.text().strip());
      return false;
    }
    DnsProxyConfig config;
    try {
      config = DnsProxyConfig.parse(r.body());
    } catch (RuntimeException e) {
      log.warn("dns config from the control plane is not valid: {}", e.getMessage());
      return false;
    }
    config.skipped().forEach(s -> log.warn("dns config: {}", s));
    sink.accept(config.table());
    // Remember the version only once it has been applied, so a failure is retried.
    etag = r.headers().get("etag");
    log.info("dns table updated records={}", config.table().size());
    return true;
  }
}
