package io.meshlite.agent.envoy;

import io.meshlite.agent.support.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs when Envoy loses or regains its ADS connection to the control plane (Envoy's {@code
 * control_plane.connected_state} gauge). There is nothing else to do: Envoy keeps its last
 * configuration and reconnects by itself, and kuma-dp must not die because the control plane is
 * away.
 */
public final class ControlPlaneWatch {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneWatch.class);
  private static final int NEVER_CONNECTED_POLLS = 6;

  private final Supplier<Optional<EnvoyAdmin>> admin;
  private final Ticker ticker;
  private final Duration interval;
  private final String cpAddress;
  private final Supplier<Optional<String>> diagnose;
  private Boolean connected;
  private int disconnectedPolls;
  private boolean explained;
  private String lastReason;

  public ControlPlaneWatch(Supplier<Optional<EnvoyAdmin>> admin, Ticker ticker, Duration interval, String cpAddress) {
    this(admin, ticker, interval, cpAddress, Optional::empty);
  }

  /**
   * @param diagnose asked once per loss of the connection why the control plane does not take
   *     this proxy (e.g. its token was revoked), so kuma-dp can say so; empty when it does not know
   */
  public ControlPlaneWatch(
      Supplier<Optional<EnvoyAdmin>> admin, Ticker ticker, Duration interval, String cpAddress,
      Supplier<Optional<String>> diagnose) {
    this.admin = admin;
    this.ticker = ticker;
    this.interval = interval;
    this.cpAddress = cpAddress;
    this.diagnose = diagnose;
  }

  /** Polls until {@code stop} opens. */
  public void run(CountDownLatch stop) {
    try {
      while (!ticker.await(stop, interval)) {
        poll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the last polls showed: null until Envoy first reported a connection. */
  Boolean connected() {
    return connected;
  }

  void poll() {
    Optional<EnvoyAdmin> a = admin.get();
    if (a.isEmpty()) {
      return;
    }
    OptionalLong state;
    try {
      state = a.get().controlPlaneConnected();
    } catch (IOException | RuntimeException e) {
      return; // Envoy is starting or stopping; the supervisor reports that
    }
    if (state.isEmpty()) {
      return;
    }
    boolean now = state.getAsLong() == 1;
    if (now) {
      explained = false;
      lastReason = null;
      if (Boolean.FALSE.equals(connected)) {
        log.info("Envoy is connected to the control plane again cp={}", cpAddress);
      } else if (connected == null) {
        log.info("Envoy is connected to the control plane cp={}", cpAddress);
      }
      disconnectedPolls = 0;
    } else {
      disconnectedPolls++;
      if (Boolean.TRUE.equals(connected)) {
        log.warn(
            "Envoy lost its connection to the control plane cp={}; it keeps serving its last configuration and reconnects by itself",
            cpAddress);
        explain();
      } else if (connected == null && disconnectedPolls == NEVER_CONNECTED_POLLS) {
        log.warn("Envoy has not connected to the control plane cp={} yet; it keeps trying", cpAddress);
        explain();
      } else if (!explained && (connected != null || disconnectedPolls > NEVER_CONNECTED_POLLS)) {
        explain(); // e.g. the control plane was restarting when the connection was lost: ask again
      }
    }
    if (now || connected != null) {
      connected = now;
    }
  }

  /** Asks the control plane why it does not take this proxy; logs each new answer once. */
  private void explain() {
    try {
      diagnose.get().ifPresent(why -> {
        explained = true;
        if (!why.equals(lastReason)) {
          lastReason = why;
          log.warn("the control plane does not take this proxy: {}", why);
        }
      });
    } catch (RuntimeException e) {
      log.debug("could not ask the control plane why: {}", e.toString());
    }
  }
}
