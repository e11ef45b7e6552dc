package io.meshlite.agent.lifecycle;

import java.util.function.Consumer;

/** Delivers termination signals (TERM, INT) by name. Injected so tests can send them directly. */
@FunctionalInterface
public interface SignalSource {

  /** Routes every later TERM and INT to {@code handler}, which must return quickly. */
  void install(Consumer<String> handler);
}
