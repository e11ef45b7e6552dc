package io.meshlite.agent.testing;

import io.meshlite.agent.lifecycle.SignalSource;
import java.util.function.Consumer;

/** Signals a test sends by calling {@link #send(String)}. */
public final class TestSignals implements SignalSource {
  private volatile Consumer<String> handler;

  @Override
  public void install(Consumer<String> h) {
    this.handler = h;
  }

  public boolean installed() {
    return handler != null;
  }

  public void send(String name) {
    Consumer<String> h = handler;
    if (h == null) {
      throw new IllegalStateException("no handler installed yet");
    }
    h.accept(name);
  }
}
