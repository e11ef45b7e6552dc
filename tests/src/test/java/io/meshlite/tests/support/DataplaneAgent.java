package io.meshlite.tests.support;

import io.meshlite.api.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A real kuma-dp process that runs a real Envoy. Against a {@link ControlPlane} started by the
 * tests it passes that control plane's CA ({@code --ca-cert-file}) and, when the control plane
 * requires tokens, a dataplane token made with {@code kumactl generate dataplane-token} ({@code
 * --dataplane-token-file}), unless the arguments or environment already give them.
 */
public final class DataplaneAgent implements AutoCloseable {
  private final JavaProcess process;
  private final EnvoyAdmin admin;
  private final int readinessPort;

  private DataplaneAgent(JavaProcess process, EnvoyAdmin admin, int readinessPort) {
    this.process = process;
    this.admin = admin;
    this.readinessPort = readinessPort;
  }

  /** Starts {@code kuma-dp run --name --mesh --cp-address} with free admin and readiness ports. */
  public static DataplaneAgent start(
      Path workDir, String cpAddress, String mesh, String name, List<String> extraArgs, Map<String, String> env) {
    return start(workDir, cpAddress, mesh, name, extraArgs, env, true);
  }

  /**
   * Like {@link #start(Path, String, String, String, List, Map)}, but with {@code credentials}
   * false nothing is added: the arguments decide CA and token (tests of bad credentials).
   */
  public static DataplaneAgent start(
      Path workDir, String cpAddress, String mesh, String name, List<String> extraArgs, Map<String, String> env,
      boolean credentials) {
    int adminPort = Ports.free();
    int readiness = Ports.free();
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--cp-address", cpAddress,
                "--name", name,
                "--mesh", mesh,
                "--admin-port", String.valueOf(adminPort),
                "--readiness-port", String.valueOf(readiness),
                "--dns-proxy-port", String.valueOf(Ports.free()),
                "--binary-path", EnvoyBinary.require().toString(),
                "--work-dir", workDir.resolve("dp-" + name).toString(),
                "--envoy-log-level", "warning"));
    if (credentials) {
      ControlPlane.byDpServerUrl(cpAddress).ifPresent(cp -> credentials(cp, workDir, mesh, name, extraArgs, env, args));
    }
    args.addAll(extraArgs);
    JavaProcess p = JavaProcess.start("kuma-dp-" + name, workDir, "io.meshlite.agent.AgentMain", args, env);
    return new DataplaneAgent(p, new EnvoyAdmin(adminPort), readiness);
  }

  /** Starts kuma-dp for a control plane started by the tests (its CA and a token are passed). */
  public static DataplaneAgent start(
      Path workDir, ControlPlane cp, String mesh, String name, List<String> extraArgs, Map<String, String> env) {
    return start(workDir, cp.dpServerUrl(), mesh, name, extraArgs, env);
  }

  private static void credentials(
      ControlPlane cp, Path workDir, String mesh, String name, List<String> extraArgs, Map<String, String> env, List<String> args) {
    if (!given(extraArgs, env, "--ca-cert-file", "KUMA_CONTROL_PLANE_CA_CERT_FILE", "KUMA_CONTROL_PLANE_CA_CERT")) {
      args.addAll(List.of("--ca-cert-file", cp.caFile().toString()));
    }
    if (cp.requiresTokens()
        && !given(extraArgs, env, "--dataplane-token-file", "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", "KUMA_DATAPLANE_RUNTIME_TOKEN")
        && !extraArgs.contains("--dataplane-token")) {
      try {
        Path token = Files.writeString(workDir.resolve(name + ".token"), cp.dataplaneToken(mesh, name));
        args.addAll(List.of("--dataplane-token-file", token.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static boolean given(List<String> extraArgs, Map<String, String> env, String flag, String... vars) {
    if (extraArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="))) {
      return true;
    }
    for (String v : vars) {
      if (env.containsKey(v)) {
        return true;
      }
    }
    return false;
  }

  public EnvoyAdmin admin() {
    return admin;
  }

  public int readinessPort() {
    return readinessPort;
  }

  /**
   * Waits until Envoy's admin says LIVE; fails at once with kuma-dp's output if kuma-dp exits first.
   *
   * @return this agent
   */
  public DataplaneAgent awaitReady() {
    try {
      org.awaitility.Awaitility.await(process + " Envoy ready")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(
              () -> {
                if (!process.alive()) {
                  throw new AssertionError(process + " exited: " + process.output());
                }
                return admin.ready();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // the temporary directory with the log is gone once the test ends: keep what kuma-dp said
      throw new AssertionError(e.getMessage() + "\nkuma-dp's output so far:\n" + process.output(), e);
    }
    return this;
  }

  public JavaProcess process() {
    return process;
  }

  /** The pid of the Envoy that kuma-dp runs, if one runs. */
  public OptionalLong envoyPid() {
    return process.process()
        .descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith("envoy")).orElse(false))
        .mapToLong(ProcessHandle::pid)
        .findFirst();
  }

  @Override
  public void close() {
    process.close();
  }
}
