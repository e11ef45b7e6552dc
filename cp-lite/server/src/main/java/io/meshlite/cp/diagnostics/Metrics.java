package io.meshlite.cp.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A small Prometheus registry: labelled counters and sampled gauges, rendered in the text
 * exposition format (0.0.4) by {@link #scrape()}. Enough for a handful of control-plane metrics
 * without a metrics library; thread-safe.
 */
public final class Metrics {
  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  /** Registers (or returns the existing) counter family. */
  public Counter counter(String name, String help, String... labelNames) {
    Family f = families.computeIfAbsent(name, n -> new Counter(n, help, List.of(labelNames)));
    if (!(f instanceof Counter c)) {
      throw new IllegalArgumentException(name + " is registered as another metric type");
    }
    return c;
  }

  /** Registers a gauge whose value is read at scrape time. */
  public void gauge(String name, String help, DoubleSupplier value) {
    families.put(name, new Gauge(name, help, value));
  }

  /** Renders every metric in Prometheus text format. */
  public String scrape() {
    StringBuilder b = new StringBuilder();
    for (Family f : families.values()) {
      f.render(b);
    }
    return b.toString();
  }

  private sealed interface Family permits Counter, Gauge {
    void render(StringBuilder b);
  }

  /** A counter with a fixed set of label names. */
  public static final class Counter implements Family {
    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final Map<List<String>, LongAdder> values = new ConcurrentHashMap<>();

    private Counter(String name, String help, List<String> labelNames) {
      this.name = name;
      this.help = help;
      this.labelNames = labelNames;
    }

    /** Adds one for these label values (in the order of the label names). */
    public void inc(String... labelValues) {
      if (labelValues.length != labelNames.size()) {
        throw new IllegalArgumentException(name + " takes labels " + labelNames);
      }
      values.computeIfAbsent(List.copyOf(Arrays.asList(labelValues)), k -> new LongAdder()).increment();
    }

    /** The current value for these label values. */
    public long get(String... labelValues) {
      LongAdder a = values.get(List.of(labelValues));
      return a == null ? 0 : a.sum();
    }

    @Override
    public void render(StringBuilder b) {
      header(b, name, help, "counter");
      List<Map.Entry<List<String>, LongAdder>> entries = new ArrayList<>(values.entrySet());
      entries.sort((x, y) -> x.getKey().toString().compareTo(y.getKey().toString()));
      for (Map.Entry<List<String>, LongAdder> e : entries) {
        b.append(name);
        if (!labelNames.isEmpty()) {
          b.append('{');
          for (int i = 0; i < labelNames.size(); i++) {
            if (i > 0) {
              b.append(',');
            }
            b.append(labelNames.get(i)).append("=\"").append(escape(e.getKey().get(i))).append('"');
          }
          b.append('}');
        }
        b.append(' ').append(e.getValue().sum()).append('\n');
      }
    }
  }

  private record Gauge(String name, String help, DoubleSupplier value) implements Family {
    @Override
    public void render(StringBuilder b) {
      header(b, name, help, "gauge");
      double v = value.getAsDouble();
      b.append(name).append(' ');
      if (v == Math.rint(v) && !Double.isInfinite(v)) {
        b.append((long) v);
      } else {
        b.append(v);
      }
      b.append('\n');
    }
  }

  private static void header(StringBuilder b, String name, String help, String type) {
    b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
