package io.meshlite.tests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The live heap of a local JVM: forces a full GC ({@code jcmd <pid> GC.run}) and reads the used and
 * committed sizes with {@code jstat -gc}. Separates what kuma-cp really keeps from what a lazy
 * collector lets RSS grow to.
 */
final class JvmHeap {
  private JvmHeap() {}

  /** A one-line description, or why it is unknown. */
  static String afterFullGc(long pid) {
    if (pid <= 0) {
      return "unknown (no pid)";
    }
    Path bin = Path.of(System.getProperty("java.home"), "bin");
    if (!Files.isExecutable(bin.resolve("jcmd")) || !Files.isExecutable(bin.resolve("jstat"))) {
      return "unknown (no jcmd/jstat in " + bin + ")";
    }
    try {
      run(bin.resolve("jcmd").toString(), Long.toString(pid), "GC.run");
      if (Boolean.getBoolean("bench.histogram")) {
        // -Dbench.histogram=true (BENCH_JAVA_OPTS): the biggest classes of the live heap, on stderr.
        String h = run(bin.resolve("jcmd").toString(), Long.toString(pid), "GC.class_histogram");
        h.lines().limit(28).forEach(l -> System.err.println("[histogram] " + l));
      }
      if (Boolean.getBoolean("bench.nmt")) {
        // -Dbench.nmt=true with --cp-jvm-opts=-XX:NativeMemoryTracking=summary: where RSS goes.
        String nmt = run(bin.resolve("jcmd").toString(), Long.toString(pid), "VM.native_memory", "summary");
        nmt.lines()
            .filter(l -> l.contains("committed=") && (l.startsWith("Total") || l.startsWith("-")))
            .forEach(l -> System.err.println("[nmt] " + l.replaceAll("reserved=[0-9]+KB, ", "").trim()));
      }
      List<String> lines = run(bin.resolve("jstat").toString(), "-gc", Long.toString(pid)).lines().toList();
      if (lines.size() < 2) {
        return "unknown (jstat printed nothing)";
      }
      String[] names = lines.get(0).trim().split("\\s+");
      String[] values = lines.get(1).trim().split("\\s+");
      double used = col(names, values, "S0U") + col(names, values, "S1U") + col(names, values, "EU") + col(names, values, "OU");
      double committed = col(names, values, "S0C") + col(names, values, "S1C") + col(names, values, "EC") + col(names, values, "OC");
      double meta = col(names, values, "MU");
      return String.format(
          Locale.ROOT, "heap used %.0f MiB of %.0f MiB committed, metaspace %.0f MiB", used / 1024, committed / 1024, meta / 1024);
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown (interrupted)";
    }
  }

  private static double col(String[] names, String[] values, String name) {
    for (int i = 0; i < names.length && i < values.length; i++) {
      if (names[i].equals(name)) {
        return values[i].equals("-") ? 0 : Double.parseDouble(values[i]);
      }
    }
    return 0;
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(cmd[0] + " did not finish");
    }
    return out;
  }
}
