package io.meshlite.cp.store.jdbc;

import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns driver and pool exceptions into one-line messages (never containing a password). */
final class Errors {
  private Errors() {}

  /** {@code <target> is unavailable (<what>): <cause>}, with a hint for TLS failures. */
  static String unavailable(String target, String what, Throwable e) {
    String detail = rootMessage(e);
    if (isTls(e)) {
      return target
          + " is unavailable ("
          + what
          + "): TLS check failed: "
          + detail
          + " (check KUMA_STORE_POSTGRES_TLS_MODE / _CA_PATH and that the server certificate"
          + " names the host kuma-cp connects to)";
    }
    return target + " is unavailable (" + what + "): " + detail;
  }

  /**
   * The most telling message in the chain: the deepest driver message (a pool timeout wraps the
   * driver's "connection refused"), on one line.
   */
  static String rootMessage(Throwable e) {
    String best = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException && t.getMessage() != null && !isPoolTimeout(t)) {
        best = t.getMessage();
      }
    }
    if (best == null) {
      best = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return best.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static boolean isPoolTimeout(Throwable t) {
    String m = t.getMessage();
    return m != null && m.contains("Connection is not available, request timed out");
  }

  static boolean isTls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof GeneralSecurityException) {
        return true;
      }
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (m.contains("hostnameverifier") || m.contains("ssl error")) {
        return true;
      }
    }
    return false;
  }
}
