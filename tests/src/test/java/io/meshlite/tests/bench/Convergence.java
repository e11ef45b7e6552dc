package io.meshlite.tests.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Waits until a set of proxies has each ACKed a configuration satisfying a condition, and records
 * when each did ({@link System#nanoTime()} at the ACK). A proxy whose stream fails counts as done
 * (failed) so the wait never outlasts the streams.
 */
final class Convergence {
  private final String what;
  private final Function<String, Predicate<ProxyView>> conditions;
  private final CountDownLatch latch;
  private final Map<String, Long> doneAt = new ConcurrentHashMap<>();
  private final Map<String, String> failed = new ConcurrentHashMap<>();
  private final Set<String> expected;

  private Convergence(String what, Function<String, Predicate<ProxyView>> conditions, Set<String> expected) {
    this.what = what;
    this.conditions = conditions;
    this.expected = Set.copyOf(expected);
    this.latch = new CountDownLatch(expected.size());
  }

  /**
   * Registers the condition on every given proxy; each proxy checks it now and after every ACK
   * until it holds.
   */
  static Convergence watch(String what, Map<String, ? extends SimulatedProxy> proxies, Predicate<ProxyView> condition) {
    return watchEach(what, proxies, name -> condition);
  }

  /** As {@link #watch(String, Map, Predicate)}, with a condition per proxy name. */
  static Convergence watchEach(
      String what, Map<String, ? extends SimulatedProxy> proxies, Function<String, Predicate<ProxyView>> conditions) {
    Convergence c = new Convergence(what, conditions, proxies.keySet());
    proxies.values().forEach(p -> p.expect(c));
    return c;
  }

  boolean test(String proxy, ProxyView view) {
    return conditions.apply(proxy).test(view);
  }

  void done(String proxy, long nanos) {
    if (doneAt.putIfAbsent(proxy, nanos) == null) {
      latch.countDown();
    }
  }

  void failed(String proxy, String reason) {
    if (!doneAt.containsKey(proxy) && failed.putIfAbsent(proxy, reason) == null) {
      latch.countDown();
    }
  }

  /** Waits until every proxy is done or failed; false on timeout. */
  boolean await(long timeoutMillis) throws InterruptedException {
    return latch.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  String what() {
    return what;
  }

  int expected() {
    return expected.size();
  }

  int converged() {
    return doneAt.size();
  }

  /** Failed streams, by proxy name. */
  Map<String, String> failures() {
    return new TreeMap<>(failed);
  }

  /** Proxies that neither converged nor failed. */
  List<String> pending() {
    List<String> out = new ArrayList<>();
    for (String p : new TreeSet<>(expected)) {
      if (!doneAt.containsKey(p) && !failed.containsKey(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Milliseconds from {@code startNanos} to each proxy's converging ACK. */
  double[] latenciesMillis(long startNanos) {
    return doneAt.values().stream().mapToDouble(t -> (t - startNanos) / 1e6).sorted().toArray();
  }

  /** Milliseconds from each proxy's own start to its converging ACK. */
  double[] latenciesMillis(Map<String, Long> startNanos) {
    return doneAt.entrySet().stream()
        .mapToDouble(e -> (e.getValue() - startNanos.get(e.getKey())) / 1e6)
        .sorted()
        .toArray();
  }
}
