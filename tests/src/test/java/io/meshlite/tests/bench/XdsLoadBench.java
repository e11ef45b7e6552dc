package io.meshlite.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line entry point of the xDS load harness (run by {@code scripts/bench-xds.sh}).
 *
 * <pre>
 * --dataplanes=1000 --services=100 --outbounds=4 --hub=true
 * --connections=4|per-proxy --event-loops=2 --protocol=sotw|delta --nack=0.0 --seed=1
 * --rounds=5 --changes=endpoint-hub,endpoint-leaf,endpoint-remove,new-service,outbound-add[,permission]
 * --mtls                           (builtin mTLS + an allow-all MeshTrafficPermission; appends permission)
 * --settle-ms=500 --config-timeout-s=120 --change-timeout-s=60 --register-concurrency=8
 * --warmup=200                     (proxies of a separate mesh run everything first; 0 = cold kuma-cp)
 * --token=JWT                      (sent as authorization metadata on every stream)
 * --cp=classpath|dist|external     (default classpath: CpMain with the dist launcher's JVM flags)
 * --cp-jvm-opts="-Xmx256m ..."     (extra kuma-cp JVM flags; JAVA_OPTS with --cp=dist)
 * --dist=dist                      (with --cp=dist)
 * --api-url=... --dp-host=... --dp-port=... --diag-url=... --cp-pid=...   (with --cp=external)
 * --work-dir=target/bench-xds
 * </pre>
 *
 * <p>Exit code 0 when every stream converged every time, 1 otherwise, 2 on bad arguments.
 */
public final class XdsLoadBench {
  private XdsLoadBench() {}

  public static void main(String[] args) throws Exception {
    // A stream the server ends (e.g. UNIMPLEMENTED for delta) is reported in the table; Armeria's
    // client would also log a warning per stream.
    System.setProperty("org.slf4j.simpleLogger.log.com.linecorp.armeria.client", "error");
    Map<String, String> rest = new LinkedHashMap<>();
    BenchOptions options;
    try {
      options = BenchOptions.parse(Arrays.asList(args), rest);
    } catch (IllegalArgumentException e) {
      System.err.println("bench-xds: " + e.getMessage());
      System.exit(2);
      return;
    }
    String mode = rest.remove("cp");
    mode = mode == null ? "classpath" : mode;
    Path workDir = Path.of(rest.getOrDefault("work-dir", "target/bench-xds"));
    rest.remove("work-dir");
    List<String> jvmOpts = splitOpts(rest.remove("cp-jvm-opts"));
    BenchReport report;
    switch (mode) {
      case "external" -> {
        CpTarget t =
            new CpTarget(
                require(rest, "api-url"),
                rest.getOrDefault("dp-host", "127.0.0.1"),
                Integer.parseInt(require(rest, "dp-port")),
                rest.get("diag-url"),
                Long.parseLong(rest.getOrDefault("cp-pid", "0")),
                "");
        for (String k : List.of("dp-host", "diag-url", "cp-pid")) {
          rest.remove(k);
        }
        checkNoneLeft(rest);
        report = new XdsLoadHarness(options, t, System.err).run();
      }
      case "classpath", "dist" -> {
        Path dist = mode.equals("dist") ? Path.of(rest.getOrDefault("dist", "dist")).toAbsolutePath() : null;
        rest.remove("dist");
        checkNoneLeft(rest);
        if (dist != null && !Files.isExecutable(dist.resolve("bin/kuma-cp"))) {
          System.err.println("bench-xds: " + dist.resolve("bin/kuma-cp") + " not found: run scripts/build.sh first");
          System.exit(2);
          return;
        }
        Path run = workDir.resolve("run-" + System.currentTimeMillis()).toAbsolutePath();
        try (CpLauncher cp = CpLauncher.start(dist, jvmOpts, run, Map.of())) {
          System.err.println("[bench] kuma-cp pid " + cp.target().pid() + ", log " + cp.log());
          report = new XdsLoadHarness(options, cp.target(), System.err).run();
        }
      }
      default -> {
        System.err.println("bench-xds: --cp must be classpath, dist or external (got " + mode + ")");
        System.exit(2);
        return;
      }
    }
    report.print(System.out);
    System.out.flush();
    System.exit(report.everythingConverged() ? 0 : 1);
  }

  private static List<String> splitOpts(String s) {
    List<String> out = new ArrayList<>();
    if (s != null) {
      for (String p : s.trim().split("\\s+")) {
        if (!p.isEmpty()) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static String require(Map<String, String> rest, String key) {
    String v = rest.remove(key);
    if (v == null) {
      System.err.println("bench-xds: --" + key + " is required with --cp=external");
      System.exit(2);
    }
    return v;
  }

  private static void checkNoneLeft(Map<String, String> rest) {
    if (!rest.isEmpty()) {
      System.err.println("bench-xds: unknown options " + rest.keySet());
      System.exit(2);
    }
  }
}
