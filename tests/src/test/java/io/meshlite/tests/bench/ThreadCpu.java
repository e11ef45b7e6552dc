package io.meshlite.tests.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU seconds of a Linux process per thread group, from {@code /proc/<pid>/task/<tid>/stat}: the
 * thread name with its trailing number removed ({@code xds-worker-1} and {@code xds-worker-0} are
 * {@code xds-worker}; the kernel keeps 15 characters of a name). Shows whether the control plane's
 * time goes to generation, the gRPC event loops, the JIT or the GC.
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** CPU seconds by thread group (threads that ended are not counted); empty when unreadable. */
  static Map<String, Double> read(long pid) {
    Map<String, Double> out = new HashMap<>();
    if (pid <= 0) {
      return out;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : tasks) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).trim().split(" ");
          double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / ProcStats.TICKS_PER_SECOND;
          out.merge(group(name), seconds, Double::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  static String group(String threadName) {
    String g = threadName.replaceAll("[-#_ ]*[0-9]+$", "").replaceAll("[-#_ ]+[0-9]+[-#_ ]*$", "");
    if (g.startsWith("C2 Compiler") || g.startsWith("C1 Compiler")) {
      return "JIT " + g.substring(0, 2);
    }
    if (g.startsWith("G1 ") || g.startsWith("GC ") || g.contains("GC Thread") || g.startsWith("VM Thread")) {
      return g.startsWith("VM Thread") ? "VM Thread" : "GC";
    }
    if (g.startsWith("armeria-common")) {
      return "armeria event loop";
    }
    return g;
  }

  /** The biggest groups of {@code after - before}, as {@code name 1.2 s, ...}. */
  static String describe(Map<String, Double> before, Map<String, Double> after, int top) {
    List<Map.Entry<String, Double>> d = new ArrayList<>();
    after.forEach((k, v) -> {
      double delta = v - before.getOrDefault(k, 0.0);
      if (delta >= 0.005) {
        d.add(Map.entry(k, delta));
      }
    });
    d.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < d.size() && i < top; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(String.format(Locale.ROOT, "%s %.2f s", d.get(i).getKey(), d.get(i).getValue()));
    }
    return s.isEmpty() ? "unknown" : s.toString();
  }
}
