package io.meshlite.tests.support;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real kuma-cp process on free loopback ports. */
public final class ControlPlane implements AutoCloseable {
  private final JavaProcess process;
  private final int apiPort;
  private final int dpPort;
  private final int diagnosticsPort;

  private ControlPlane(JavaProcess process, int apiPort, int dpPort, int diagnosticsPort) {
    this.process = process;
    this.apiPort = apiPort;
    this.dpPort = dpPort;
    this.diagnosticsPort = diagnosticsPort;
  }

  /** Starts kuma-cp with the memory store (plus extra {@code KUMA_*} settings) and waits until ready. */
  public static ControlPlane start(Path workDir, Map<String, String> extraEnv) {
    int api = Ports.free();
    int dp = Ports.free();
    int diag = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put("KUMA_API_SERVER_HTTP_PORT", String.valueOf(api));
    env.put("KUMA_API_SERVER_HTTP_INTERFACE", "127.0.0.1");
    env.put("KUMA_DP_SERVER_PORT", String.valueOf(dp));
    env.put("KUMA_DIAGNOSTICS_SERVER_PORT", String.valueOf(diag));
    env.put("KUMA_GENERAL_WORK_DIR", workDir.resolve("kuma-cp").toString());
    env.putAll(extraEnv);
    JavaProcess p =
        JavaProcess.start("kuma-cp", workDir, "io.meshlite.cp.CpMain", List.of("run"), env);
    ControlPlane cp = new ControlPlane(p, api, dp, diag);
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
    return cp;
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + apiPort;
  }

  public String dpServerUrl() {
    return "http://127.0.0.1:" + dpPort;
  }

  public JavaProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
