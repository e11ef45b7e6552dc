package io.meshlite.tests.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real kuma-dp process that runs a real Envoy. */
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
    args.addAll(extraArgs);
    JavaProcess p = JavaProcess.start("kuma-dp-" + name, workDir, "io.meshlite.agent.AgentMain", args, env);
    return new DataplaneAgent(p, new EnvoyAdmin(adminPort), readiness);
  }

  public EnvoyAdmin admin() {
    return admin;
  }

  public int readinessPort() {
    return readinessPort;
  }

  public JavaProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
