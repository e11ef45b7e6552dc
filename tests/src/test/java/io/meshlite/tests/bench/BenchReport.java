package io.meshlite.tests.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one harness run measured, and its rendering as a plain-text table.
 *
 * @param options the run's options, described
 * @param target the kuma-cp measured
 * @param connections HTTP/2 connections the streams used
 * @param loadBefore {@code /proc/loadavg} before the run
 * @param loadAfter {@code /proc/loadavg} after it
 * @param idle kuma-cp before registration, after any warm-up (null when its pid is unknown)
 * @param registered kuma-cp after registration
 * @param configured kuma-cp once every stream had its first configuration
 * @param end kuma-cp after the last change
 * @param registerMillis time to register the N Dataplanes
 * @param first first full configuration of every stream
 * @param changes each change, each round
 * @param harnessRssMib the harness's own RSS at the end
 * @param liveHeap kuma-cp heap after a full GC at the end (from jcmd/jstat), or a reason it is unknown
 * @param cpuByThreadFirst kuma-cp CPU by thread group while the streams got their first config
 * @param cpuByThreadChanges kuma-cp CPU by thread group during the changes
 * @param harnessChangesCpuSeconds the harness's own CPU time during the changes
 */
public record BenchReport(
    String options,
    CpTarget target,
    int connections,
    String loadBefore,
    String loadAfter,
    ProcStats idle,
    ProcStats registered,
    ProcStats configured,
    ProcStats end,
    double registerMillis,
    FirstConfig first,
    List<ChangeResult> changes,
    double harnessRssMib,
    String liveHeap,
    String cpuByThreadFirst,
    String cpuByThreadChanges,
    double harnessChangesCpuSeconds) {

  /**
   * @param expected streams opened
   * @param converged streams that ACKed their full, correct configuration
   * @param failures failed streams (name -> gRPC status), at most a few
   * @param pending streams neither converged nor failed at the timeout, at most a few
   * @param allMillis from the first stream opening to the last stream's configuring ACK
   * @param openMillis time the harness took to open all streams
   * @param perStreamMillis each stream, from its own opening to its configuring ACK (sorted)
   * @param responses responses received
   * @param nacks NACKs sent
   * @param bytes serialized response bytes received
   * @param cpuSeconds kuma-cp CPU time during the phase (NaN when unknown)
   * @param metrics kuma-cp xds_* metric deltas during the phase
   * @param firstCdsMillis per stream, open to first CDS response (sorted)
   * @param firstEdsMillis per stream, open to first EDS response (sorted)
   * @param firstLdsMillis per stream, open to first LDS response (sorted)
   * @param harnessCpuSeconds the harness's own CPU time during the phase
   */
  public record FirstConfig(
      int expected,
      int converged,
      Map<String, String> failures,
      List<String> pending,
      double allMillis,
      double openMillis,
      double[] perStreamMillis,
      long responses,
      long nacks,
      long bytes,
      double cpuSeconds,
      Map<String, Double> metrics,
      double[] firstCdsMillis,
      double[] firstEdsMillis,
      double[] firstLdsMillis,
      double harnessCpuSeconds) {}

  /**
   * @param kind the change (see {@link XdsLoadHarness#CHANGES})
   * @param round which repetition
   * @param description what was changed
   * @param affected streams whose configuration the change must reach
   * @param converged of those, the ones that ACKed it
   * @param failures failed streams, at most a few
   * @param pending streams still without it at the timeout, at most a few
   * @param latencyMillis per affected stream, from just before the REST write to the ACK (sorted)
   * @param restMillis the REST write itself
   * @param pushesAffected responses received by affected streams (until settled)
   * @param pushesUnaffected responses received by every other stream (should be 0)
   * @param nacks NACKs sent meanwhile
   * @param bytes serialized response bytes received by all streams
   * @param cpuSeconds kuma-cp CPU time from the write until settled
   * @param metrics kuma-cp xds_* metric deltas
   */
  public record ChangeResult(
      String kind,
      int round,
      String description,
      int affected,
      int converged,
      Map<String, String> failures,
      List<String> pending,
      double[] latencyMillis,
      double restMillis,
      long pushesAffected,
      long pushesUnaffected,
      long nacks,
      long bytes,
      double cpuSeconds,
      Map<String, Double> metrics) {

    public boolean complete() {
      return converged == affected;
    }
  }

  /** Nearest-rank percentile of a sorted array; NaN when empty. */
  public static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Every change of one kind, all rounds, folded together. */
  public record ChangeSummary(
      String kind,
      int rounds,
      double affectedPerRound,
      int affected,
      int converged,
      double[] latencyMillis,
      double restMillisMedian,
      double pushesAffectedPerRound,
      double pushesUnaffectedPerRound,
      double kibPerRound,
      double cpuSecondsPerRound,
      Map<String, Double> metricsPerRound) {}

  public List<ChangeSummary> summaries() {
    Map<String, List<ChangeResult>> byKind = new LinkedHashMap<>();
    changes.forEach(c -> byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c));
    List<ChangeSummary> out = new ArrayList<>();
    byKind.forEach((kind, rs) -> {
      int n = rs.size();
      double[] lat = rs.stream().flatMapToDouble(r -> Arrays.stream(r.latencyMillis())).sorted().toArray();
      double[] rest = rs.stream().mapToDouble(ChangeResult::restMillis).sorted().toArray();
      Map<String, Double> metrics = new LinkedHashMap<>();
      rs.forEach(r -> r.metrics().forEach((k, v) -> metrics.merge(k, v / n, Double::sum)));
      out.add(
          new ChangeSummary(
              kind,
              n,
              rs.stream().mapToInt(ChangeResult::affected).average().orElse(0),
              rs.stream().mapToInt(ChangeResult::affected).sum(),
              rs.stream().mapToInt(ChangeResult::converged).sum(),
              lat,
              percentile(rest, 0.5),
              rs.stream().mapToLong(ChangeResult::pushesAffected).average().orElse(0),
              rs.stream().mapToLong(ChangeResult::pushesUnaffected).average().orElse(0),
              rs.stream().mapToLong(ChangeResult::bytes).average().orElse(0) / 1024,
              rs.stream().mapToDouble(ChangeResult::cpuSeconds).average().orElse(Double.NaN),
              metrics));
    });
    return out;
  }

  /** Worst p99 over the change kinds (NaN without changes). */
  public double worstChangeP99() {
    return summaries().stream().mapToDouble(s -> percentile(s.latencyMillis(), 0.99)).max().orElse(Double.NaN);
  }

  public boolean everythingConverged() {
    return first.converged() == first.expected() && changes.stream().allMatch(ChangeResult::complete);
  }

  public void print(PrintStream out) {
    out.println();
    out.println("== xDS load harness ==");
    out.println("options   : " + options);
    out.println(
        "kuma-cp   : pid=" + (target.pid() > 0 ? target.pid() : "unknown") + " ads=" + target.dpHost() + ":"
            + target.dpPort() + " jvm=[" + target.jvmFlags() + "]");
    out.println("load avg  : before " + loadBefore + " | after " + loadAfter + " (" + Runtime.getRuntime().availableProcessors()
        + " cores)");
    out.printf(
        Locale.ROOT,
        "register  : %d Dataplanes in %.1f s (%.0f/s)%n",
        first.expected(), registerMillis / 1000, first.expected() / Math.max(registerMillis / 1000, 1e-9));
    double[] ps = first.perStreamMillis();
    out.printf(
        Locale.ROOT,
        "first cfg : %d/%d streams configured over %d connections; all within %.0f ms of the first stream opening"
            + " (opening all took %.0f ms)%n",
        first.converged(), first.expected(), connections, first.allMillis(), first.openMillis());
    out.printf(
        Locale.ROOT,
        "            per stream (from its own open): p50 %.0f ms  p99 %.0f ms  max %.0f ms%n",
        percentile(ps, 0.5), percentile(ps, 0.99), percentile(ps, 1.0));
    out.printf(
        Locale.ROOT,
        "            responses %d (NACKed %d), %.1f MiB received (%.1f KiB per stream); kuma-cp CPU %.2f s%s%n",
        first.responses(), first.nacks(), first.bytes() / 1048576.0, first.bytes() / 1024.0 / first.expected(),
        first.cpuSeconds(), metricsText(first.metrics()));
    out.printf(
        Locale.ROOT,
        "            first response p50/p99 (from open): CDS %.0f/%.0f ms, EDS %.0f/%.0f ms, LDS %.0f/%.0f ms;"
            + " harness CPU %.2f s%n",
        percentile(first.firstCdsMillis(), 0.5), percentile(first.firstCdsMillis(), 0.99),
        percentile(first.firstEdsMillis(), 0.5), percentile(first.firstEdsMillis(), 0.99),
        percentile(first.firstLdsMillis(), 0.5), percentile(first.firstLdsMillis(), 0.99), first.harnessCpuSeconds());
    if (!first.failures().isEmpty()) {
      out.println("            failed streams (sample): " + first.failures());
    }
    if (!first.pending().isEmpty()) {
      out.println("            never configured (sample): " + first.pending());
    }
    if (!changes.isEmpty()) {
      out.println();
      out.println("propagation (per affected stream: REST write -> ACK of a version containing the change)");
      out.printf(
          Locale.ROOT,
          "%-16s %6s %9s %10s %8s %8s %8s %8s %9s %7s %9s %9s %8s %8s%n",
          "change", "rounds", "affected", "converged", "p50 ms", "p99 ms", "max ms", "REST ms", "pushes", "stray",
          "KiB", "CPU s", "gens", "snaps");
      for (ChangeSummary s : summaries()) {
        out.printf(
            Locale.ROOT,
            "%-16s %6d %9.0f %10s %8.0f %8.0f %8.0f %8.1f %9.0f %7.0f %9.1f %9.2f %8s %8s%n",
            s.kind(), s.rounds(), s.affectedPerRound(), s.converged() + "/" + s.affected(),
            percentile(s.latencyMillis(), 0.5), percentile(s.latencyMillis(), 0.99),
            percentile(s.latencyMillis(), 1.0), s.restMillisMedian(), s.pushesAffectedPerRound(),
            s.pushesUnaffectedPerRound(), s.kibPerRound(), s.cpuSecondsPerRound(),
            metric(s.metricsPerRound(), "xds_generations"), metric(s.metricsPerRound(), "xds_snapshots_set"));
      }
      out.println("  (pushes, stray, KiB, CPU s, gens, snaps are per round; stray = responses to unaffected streams;");
      out.println("   gens/snaps = kuma-cp proxy regenerations / snapshots set, from its /metrics)");
      for (ChangeResult c : changes) {
        if (!c.complete()) {
          out.println(
              "  INCOMPLETE " + c.kind() + " round " + c.round() + ": " + c.converged() + "/" + c.affected()
                  + " failed=" + c.failures() + " pending=" + c.pending());
        }
      }
    }
    out.println();
    if (idle != null) {
      out.printf(
          Locale.ROOT,
          "kuma-cp   : RSS at start %.0f MiB | registered %.0f | configured %.0f | end %.0f | peak (VmHWM) %.0f MiB;"
              + " threads %d; CPU total %.1f s (registration %.1f s)%n",
          idle.rssMib(), mib(registered), mib(configured), mib(end), end == null ? Double.NaN : end.hwmMib(),
          end == null ? 0 : end.threads(), end == null ? Double.NaN : end.cpuSeconds() - idle.cpuSeconds(),
          registered == null ? Double.NaN : registered.cpuSeconds() - idle.cpuSeconds());
    } else {
      out.println("kuma-cp   : RSS/CPU unknown (no pid)");
    }
    out.println("            after a full GC at the end: " + liveHeap);
    out.println("            CPU by thread, first config: " + cpuByThreadFirst);
    out.println("            CPU by thread, changes     : " + cpuByThreadChanges);
    out.printf(
        Locale.ROOT,
        "harness   : RSS %.0f MiB; CPU %.2f s during the first configs, %.2f s during the changes%n",
        harnessRssMib, first.harnessCpuSeconds(), harnessChangesCpuSeconds);
    out.println();
    double p99 = worstChangeP99();
    double peak = end == null ? Double.NaN : end.hwmMib();
    out.println("targets (issue P9, stated for 1,000 dataplanes / 100 services on 2 cores):");
    out.printf(Locale.ROOT, "  propagation p99 <= 500 ms      : %s (worst change p99 %.0f ms)%n", verdict(p99 <= 500), p99);
    out.printf(Locale.ROOT, "  kuma-cp RSS <= 300 MiB          : %s (peak %.0f MiB)%n", verdict(peak <= 300), peak);
    out.printf(
        Locale.ROOT,
        "  all configured within 10 s      : %s (%.1f s)%n",
        verdict(first.converged() == first.expected() && first.allMillis() <= 10_000), first.allMillis() / 1000);
  }

  private static String verdict(boolean ok) {
    return ok ? "met" : "MISSED";
  }

  private static double mib(ProcStats s) {
    return s == null ? Double.NaN : s.rssMib();
  }

  private static String metric(Map<String, Double> m, String name) {
    Double v = m.get(name);
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String metricsText(Map<String, Double> m) {
    if (m.isEmpty()) {
      return "";
    }
    return "; gens " + metric(m, "xds_generations") + ", snapshots set " + metric(m, "xds_snapshots_set");
  }
}
