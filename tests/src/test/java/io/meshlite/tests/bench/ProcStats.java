package io.meshlite.tests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and CPU time of a Linux process, from {@code /proc/<pid>/status} and {@code
 * /proc/<pid>/stat}.
 *
 * @param rssKib VmRSS
 * @param hwmKib VmHWM (peak RSS)
 * @param threads thread count
 * @param cpuSeconds user + system CPU time
 */
public record ProcStats(long rssKib, long hwmKib, int threads, double cpuSeconds) {
  static final double TICKS_PER_SECOND = clockTicks();

  /** The figures now, or null when the process (or /proc) is not there. */
  static ProcStats read(long pid) {
    if (pid <= 0) {
      return null;
    }
    try {
      long rss = 0;
      long hwm = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.substring(8).trim());
        }
      }
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return new ProcStats(rss, hwm, threads, ticks / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public double rssMib() {
    return rssKib / 1024.0;
  }

  public double hwmMib() {
    return hwmKib / 1024.0;
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private static double clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
