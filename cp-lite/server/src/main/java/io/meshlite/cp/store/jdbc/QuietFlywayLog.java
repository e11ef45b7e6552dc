package io.meshlite.cp.store.jdbc;

import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flyway's log, sent to SLF4J one level lower: its chatty INFO lines become DEBUG, because the
 * store logs one line of its own per migration run. Flyway instantiates it by name ({@code
 * loggers}), hence public.
 */
public final class QuietFlywayLog implements LogCreator {
  /** Called by Flyway. */
  public QuietFlywayLog() {}

  @Override
  public Log createLogger(Class<?> clazz) {
    Logger l = LoggerFactory.getLogger(clazz);
    return new Log() {
      @Override
      public void debug(String message) {
        l.trace(message);
      }

      @Override
      public void info(String message) {
        l.debug(message);
      }

      @Override
      public void warn(String message) {
        l.warn(message);
      }

      @Override
      public void error(String message) {
        l.error(message);
      }

      @Override
      public void error(String message, Exception e) {
        l.error(message, e);
      }

      @Override
      public void notice(String message) {
        l.debug(message);
      }
    };
  }
}
