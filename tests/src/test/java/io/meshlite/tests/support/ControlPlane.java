package io.meshlite.tests.support;

import static org.awaitility.Awaitility.await;

import io.meshlite.api.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real kuma-cp process on free loopback ports, with Kuma's defaults: the dataplane server speaks
 * TLS (the CA kuma-cp generates is in {@link #caFile()}) and proxies need a dataplane token (see
 * {@link #dataplaneToken}). Pass {@code KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none} to run without
 * tokens.
 */
public final class ControlPlane implements AutoCloseable {
  /** Running control planes by dataplane server URL, so an agent started with that URL finds its CA and token. */
  private static final Map<String, ControlPlane> BY_DP_URL = new ConcurrentHashMap<>();

  private final JavaProcess process;
  private final Path workDir;
  private final int apiPort;
  private final int apiHttpsPort;
  private final int dpPort;
  private final int diagnosticsPort;
  private final boolean tokens;
  private final Map<String, String> env;

  private ControlPlane(
      JavaProcess process, Path workDir, int apiPort, int apiHttpsPort, int dpPort, int diagnosticsPort, boolean tokens,
      Map<String, String> env) {
    this.env = Map.copyOf(env);
    this.process = process;
    this.workDir = workDir;
    this.apiPort = apiPort;
    this.apiHttpsPort = apiHttpsPort;
    this.dpPort = dpPort;
    this.diagnosticsPort = diagnosticsPort;
    this.tokens = tokens;
  }

  /** Starts kuma-cp with the memory store (plus extra {@code KUMA_*} settings) and waits until ready. */
  public static ControlPlane start(Path workDir, Map<String, String> extraEnv) {
    // A test may pin the dp-server port (agents must find a restarted control plane again).
    String pinned = extraEnv.get("KUMA_DP_SERVER_PORT");
    int dp = pinned == null ? Ports.free() : Integer.parseInt(pinned);
    return start(workDir, extraEnv, Ports.free(), Ports.free(), dp, Ports.free());
  }

  private static ControlPlane start(Path workDir, Map<String, String> extraEnv, int api, int https, int dp, int diag) {
    Map<String, String> env = new HashMap<>();
    env.put("KUMA_API_SERVER_HTTP_PORT", String.valueOf(api));
    env.put("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KUMA_API_SERVER_HTTPS_PORT", String.valueOf(https));
    env.put("KUMA_API_SERVER_HTTPS_INTERFACE", "127.0.0.1");
    env.put("KUMA_DP_SERVER_PORT", String.valueOf(dp));
    env.put("KUMA_DIAGNOSTICS_SERVER_PORT", String.valueOf(diag));
    env.put("KUMA_GENERAL_WORK_DIR", workDir.resolve("kuma-cp").toString());
    env.putAll(extraEnv);
    boolean tokens = !"none".equals(env.get("KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE"));
    JavaProcess p =
        JavaProcess.start("kuma-cp", workDir, "io.meshlite.cp.CpMain", List.of("run"), env);
    ControlPlane cp = new ControlPlane(p, workDir, api, https, dp, diag, tokens, extraEnv);
    try {
      await("kuma-cp ready")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!p.alive()) {
              throw new AssertionError("kuma-cp exited: " + p.output());
            }
            return Http.get("http://127.0.0.1:" + diag + "/ready").status() == 200;
          });
    } catch (RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
    BY_DP_URL.put(cp.dpServerUrl(), cp);
    return cp;
  }

  /** The control plane started with this dataplane server URL, if it runs. */
  static Optional<ControlPlane> byDpServerUrl(String url) {
    return Optional.ofNullable(BY_DP_URL.get(url));
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + apiPort;
  }

  public String apiHttpsUrl() {
    return "https://127.0.0.1:" + apiHttpsPort;
  }

  /** The dataplane server (TLS). */
  public String dpServerUrl() {
    return "https://127.0.0.1:" + dpPort;
  }

  /** The CA of the control plane's TLS certificate, as kuma-cp writes it ({@code <workDir>/kuma-cp.crt}). */
  public Path caFile() {
    return workDir.resolve("kuma-cp").resolve("kuma-cp.crt");
  }

  /** Whether proxies need a dataplane token (dpServer.authn.dpProxy.type is not none). */
  public boolean requiresTokens() {
    return tokens;
  }

  /**
   * A dataplane token for one proxy, generated with {@code kumactl generate dataplane-token}
   * (kumactl runs on this host, so it is an admin).
   *
   * @param extraArgs more flags, e.g. {@code --valid-for 5s} or {@code --tag k=v}
   */
  public String dataplaneToken(String mesh, String name, String... extraArgs) {
    java.util.List<String> args =
        new java.util.ArrayList<>(List.of("generate", "dataplane-token", "--mesh", mesh, "--name", name));
    args.addAll(List.of(extraArgs));
    JavaProcess.Result r = new Kumactl(workDir, apiUrl()).run(args.toArray(String[]::new));
    if (r.exitCode() != 0) {
      throw new AssertionError("kumactl generate dataplane-token failed: " + r.output());
    }
    String out = r.output().strip();
    // The log of a kumactl run holds only what it printed: the token.
    return out.substring(out.lastIndexOf('\n') + 1).strip();
  }

  public JavaProcess process() {
    return process;
  }

  /**
   * Stops kuma-cp and starts it again on the same ports and work directory (with the memory store
   * everything stored is gone; the CA kept in the work directory stays).
   */
  public ControlPlane restart() {
    return restart(Map.of());
  }

  /** Like {@link #restart()}, with some settings changed. */
  public ControlPlane restart(Map<String, String> changedEnv) {
    close();
    Map<String, String> next = new HashMap<>(env);
    next.putAll(changedEnv);
    return start(workDir, next, apiPort, apiHttpsPort, dpPort, diagnosticsPort);
  }

  /** Lines of the kuma-cp log that contain {@code text}. */
  public List<String> logLines(String text) {
    return process.output().lines().filter(l -> l.contains(text)).toList();
  }

  @Override
  public void close() {
    BY_DP_URL.remove(dpServerUrl());
    process.close();
  }
}
