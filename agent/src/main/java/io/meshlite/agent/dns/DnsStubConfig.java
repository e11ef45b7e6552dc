package io.meshlite.agent.dns;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the embedded DNS stub. Build with {@link #builder()}; {@link #defaults()} is what
 * kuma-dp uses unless told otherwise.
 *
 * @param bindAddresses where UDP and TCP listen (Kuma: 127.0.0.1, see {@link #kumaBindAddresses})
 * @param port the listening port, 15053 in Kuma ({@code --dns-proxy-port}); 0 picks a free one
 * @param resolvConf the file whose {@code nameserver} lines are the upstream resolvers
 * @param queryTimeout the longest a forwarded query may take before the client gets SERVFAIL
 * @param upstreamAttemptTimeout how long one upstream gets before the query is sent to the next
 * @param cacheMaxEntries bound on cached upstream answers (0 turns the cache off)
 * @param cacheMaxBytes bound on the bytes held by cached answers
 * @param cacheMaxTtl cap on how long an upstream answer is cached, whatever its TTL
 * @param maxInFlight bound on queries waiting for an upstream; beyond it clients get SERVFAIL
 * @param maxTcpConnections bound on open client TCP connections; more are closed at once
 * @param maxTcpQueryBytes largest TCP query accepted; a bigger length prefix closes the connection
 * @param tcpIdleTimeout an idle client TCP connection is closed after this
 */
public record DnsStubConfig(
    List<InetAddress> bindAddresses,
    int port,
    Path resolvConf,
    Duration queryTimeout,
    Duration upstreamAttemptTimeout,
    int cacheMaxEntries,
    long cacheMaxBytes,
    Duration cacheMaxTtl,
    int maxInFlight,
    int maxTcpConnections,
    int maxTcpQueryBytes,
    Duration tcpIdleTimeout) {

  /** Kuma's DNS proxy port. */
  public static final int DEFAULT_PORT = 15053;

  /** Validates every field and reports all problems at once. */
  public DnsStubConfig {
    List<String> errors = new ArrayList<>();
    bindAddresses = List.copyOf(Objects.requireNonNull(bindAddresses, "bindAddresses"));
    if (bindAddresses.isEmpty()) {
      errors.add("bindAddresses: [] (expected: at least one address)");
    }
    if (port < 0 || port > 65535) {
      errors.add("port: " + port + " (expected: 0..65535)");
    }
    Objects.requireNonNull(resolvConf, "resolvConf");
    positive(errors, "queryTimeout", queryTimeout);
    positive(errors, "upstreamAttemptTimeout", upstreamAttemptTimeout);
    positive(errors, "cacheMaxTtl", cacheMaxTtl);
    positive(errors, "tcpIdleTimeout", tcpIdleTimeout);
    if (cacheMaxEntries < 0) {
      errors.add("cacheMaxEntries: " + cacheMaxEntries + " (expected: >= 0)");
    }
    if (cacheMaxBytes < 0) {
      errors.add("cacheMaxBytes: " + cacheMaxBytes + " (expected: >= 0)");
    }
    if (maxInFlight < 1 || maxInFlight > 16384) {
      errors.add("maxInFlight: " + maxInFlight + " (expected: 1..16384)");
    }
    if (maxTcpConnections < 1) {
      errors.add("maxTcpConnections: " + maxTcpConnections + " (expected: >= 1)");
    }
    if (maxTcpQueryBytes < 512 || maxTcpQueryBytes > 65535) {
      errors.add("maxTcpQueryBytes: " + maxTcpQueryBytes + " (expected: 512..65535)");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid DNS stub config: " + String.join("; ", errors));
    }
  }

  private static void positive(List<String> errors, String field, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      errors.add(field + ": " + d + " (expected: a positive duration)");
    }
  }

  /** The defaults: 127.0.0.1:15053, /etc/resolv.conf, 2 s per query, 10k cached answers. */
  public static DnsStubConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The addresses Kuma's DNS proxy binds (kuma-dp-spec §6.1): without transparent proxy {@code
   * 0.0.0.0}; with it {@code 127.0.0.1} (plus {@code ::1} for dual stack); with a vnet {@code
   * 0.0.0.0} (plus {@code ::} for dual stack).
   */
  public static List<InetAddress> kumaBindAddresses(
      boolean transparentProxy, boolean dualStack, boolean vnet) {
    try {
      if (!transparentProxy) {
        return List.of(InetAddress.getByAddress(new byte[4]));
      }
      if (vnet) {
        return dualStack
            ? List.of(InetAddress.getByAddress(new byte[4]), InetAddress.getByAddress(new byte[16]))
            : List.of(InetAddress.getByAddress(new byte[4]));
      }
      InetAddress v4 = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      if (!dualStack) {
        return List.of(v4);
      }
      byte[] v6 = new byte[16];
      v6[15] = 1;
      return List.of(v4, InetAddress.getByAddress(v6));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects settings; unset ones keep their defaults. */
  public static final class Builder {
    private List<InetAddress> bindAddresses = kumaBindAddresses(true, false, false);
    private int port = DEFAULT_PORT;
    private Path resolvConf = Path.of("/etc/resolv.conf");
    private Duration queryTimeout = Duration.ofSeconds(2);
    private Duration upstreamAttemptTimeout = Duration.ofMillis(600);
    private int cacheMaxEntries = 10_000;
    private long cacheMaxBytes = 4L << 20;
    private Duration cacheMaxTtl = Duration.ofHours(1);
    private int maxInFlight = 1024;
    private int maxTcpConnections = 128;
    private int maxTcpQueryBytes = 4096;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);

    private Builder() {}

    private Builder(DnsStubConfig c) {
      bindAddresses = c.bindAddresses;
      port = c.port;
      resolvConf = c.resolvConf;
      queryTimeout = c.queryTimeout;
      upstreamAttemptTimeout = c.upstreamAttemptTimeout;
      cacheMaxEntries = c.cacheMaxEntries;
      cacheMaxBytes = c.cacheMaxBytes;
      cacheMaxTtl = c.cacheMaxTtl;
      maxInFlight = c.maxInFlight;
      maxTcpConnections = c.maxTcpConnections;
      maxTcpQueryBytes = c.maxTcpQueryBytes;
      tcpIdleTimeout = c.tcpIdleTimeout;
    }

    public Builder bindAddresses(List<InetAddress> v) {
      bindAddresses = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder resolvConf(Path v) {
      resolvConf = v;
      return this;
    }

    public Builder queryTimeout(Duration v) {
      queryTimeout = v;
      return this;
    }

    public Builder upstreamAttemptTimeout(Duration v) {
      upstreamAttemptTimeout = v;
      return this;
    }

    public Builder cacheMaxEntries(int v) {
      cacheMaxEntries = v;
      return this;
    }

    public Builder cacheMaxBytes(long v) {
      cacheMaxBytes = v;
      return this;
    }

    public Builder cacheMaxTtl(Duration v) {
      cacheMaxTtl = v;
      return this;
    }

    public Builder maxInFlight(int v) {
      maxInFlight = v;
      return this;
    }

    public Builder maxTcpConnections(int v) {
      maxTcpConnections = v;
      return this;
    }

    public Builder maxTcpQueryBytes(int v) {
      maxTcpQueryBytes = v;
      return this;
    }

    public Builder tcpIdleTimeout(Duration v) {
      tcpIdleTimeout = v;
      return this;
    }

    public DnsStubConfig build() {
      return new DnsStubConfig(
          bindAddresses,
          port,
          resolvConf,
          queryTimeout,
          upstreamAttemptTimeout,
          cacheMaxEntries,
          cacheMaxBytes,
          cacheMaxTtl,
          maxInFlight,
          maxTcpConnections,
          maxTcpQueryBytes,
          tcpIdleTimeout);
    }
  }
}
