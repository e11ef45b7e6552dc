package io.meshlite.agent.bootstrap;

import io.meshlite.agent.config.AgentConfig;
import io.meshlite.agent.envoy.EnvoyVersion;
import io.meshlite.api.Versions;
import io.meshlite.api.bootstrap.BootstrapRequest;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Builds the {@link BootstrapRequest} for each attempt. The token file is read every time, so a
 * rotated token is picked up and a missing file is retried rather than fatal (as in Kuma).
 */
public final class BootstrapRequestFactory implements BootstrapClient.RequestSource {
  /** Supplies the token for one request (it may read a file, so it may fail). */
  @FunctionalInterface
  public interface TokenSupply {
    /** The token, or null without one. */
    String token() throws IOException;
  }

  private final AgentConfig cfg;
  private final TokenSupply tokens;
  private final EnvoyVersion envoy;
  private final Path workDir;
  private final Path tokenPath;
  private final BootstrapRequest.Version version;
  private final long maxMemoryBytes;
  private final boolean ipv6;

  /**
   * @param tokenPath the token file (the one written for an inline token, or {@code
   *     --dataplane-token-file}), or null without a token
   * @param maxMemoryBytes the memory limit to report (0 when none)
   */
  public BootstrapRequestFactory(
      AgentConfig cfg, EnvoyVersion envoy, Path workDir, Path tokenPath, long maxMemoryBytes, boolean ipv6) {
    this(cfg, envoy, workDir, tokenPath, maxMemoryBytes, ipv6, () -> readToken(cfg, tokenPath));
  }

  /**
   * @param tokens where each request's token comes from (kuma-dp's token file, which it keeps
   *     current)
   */
  public BootstrapRequestFactory(
      AgentConfig cfg, EnvoyVersion envoy, Path workDir, Path tokenPath, long maxMemoryBytes, boolean ipv6,
      TokenSupply tokens) {
    this.tokens = tokens;
    this.cfg = cfg;
    this.envoy = envoy;
    this.workDir = workDir;
    this.tokenPath = tokenPath;
    this.maxMemoryBytes = maxMemoryBytes;
    this.ipv6 = ipv6;
    this.version = new BootstrapRequest.Version(
        new BootstrapRequest.KumaDp(Versions.VERSION, Versions.VERSION, "unknown", "unknown"),
        new BootstrapRequest.Envoy(envoy.version(), envoy.build(), envoy.compatibleWith(Versions.ENVOY)));
  }

  private static String readToken(AgentConfig cfg, Path tokenPath) throws IOException {
    String token = cfg.token().inline();
    if (token == null && tokenPath != null) {
      try {
        token = Files.readString(tokenPath).strip();
      } catch (IOException e) {
        throw new IOException("cannot read the dataplane token " + tokenPath + ": " + e.getMessage(), e);
      }
    }
    return token;
  }

  @Override
  public BootstrapRequest next() throws IOException {
    String token = tokens.token();
    AgentConfig.Dataplane dp = cfg.dataplane();
    AgentConfig.Runtime rt = cfg.runtime();
    List<String> features = new ArrayList<>(List.of("feature-strict-inbound-ports", "feature-reuse-port"));
    if (rt.dnsEnabled()) {
      features.add("feature-embedded-dns");
    }
    if (rt.bindOutbounds()) {
      features.add("feature-bind-outbounds");
    }
    if (rt.deltaXds()) {
      features.add("feature-delta-grpc");
    }
    return new BootstrapRequest(
        dp.mesh(),
        dp.name(),
        dp.proxyType(),
        token == null || token.isEmpty() ? null : token,
        tokenPath == null ? null : tokenPath.toString(),
        dp.resourceJson(),
        version,
        cfg.controlPlane().caCert(),
        rt.dynamicMetadata().isEmpty() ? null : rt.dynamicMetadata(),
        rt.dnsEnabled() ? Integer.valueOf(rt.dnsProxyPort()) : null,
        rt.readinessPort(),
        null,
        operatingSystem(),
        List.copyOf(features),
        new BootstrapRequest.Resources(maxMemoryBytes),
        workDir.toString(),
        new BootstrapRequest.MetricsResources(rt.metricsCertPath(), rt.metricsKeyPath()),
        "",
        ipv6,
        cfg.envoy().adminPort());
  }

  public EnvoyVersion envoy() {
    return envoy;
  }

  static String operatingSystem() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    return os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os.replace(' ', '_');
  }

  /** The memory limit from cgroup v2 {@code memory.max} or v1 {@code memory.limit_in_bytes}, 0 if none. */
  public static long cgroupMemoryLimit(Path cgroupRoot) {
    for (Path p : List.of(cgroupRoot.resolve("memory.max"), cgroupRoot.resolve("memory/memory.limit_in_bytes"))) {
      try {
        String v = Files.readString(p).strip();
        if (v.equals("max")) {
          return 0;
        }
        long bytes = Long.parseLong(v);
        // cgroup v1 reports "no limit" as a huge page-aligned number.
        return bytes >= Long.MAX_VALUE / 2 ? 0 : bytes;
      } catch (IOException | NumberFormatException e) {
        // try the next layout
      }
    }
    return 0;
  }

  /** Kuma turns IPv6 off when the host has no non-loopback IPv6 address. */
  public static boolean hostHasIpv6() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet6Address && !a.isLoopbackAddress()) {
            return true;
          }
        }
      }
    } catch (SocketException e) {
      return false;
    }
    return false;
  }
}
