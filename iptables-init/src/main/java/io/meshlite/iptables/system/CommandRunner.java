package io.meshlite.iptables.system;

import java.io.IOException;
import java.util.List;

/** Runs one external command to completion. Tests substitute fakes or a netns wrapper. */
@FunctionalInterface
public interface CommandRunner {

  /**
   * Runs {@code argv}, feeding {@code stdin} (may be null) and collecting output.
   *
   * @throws IOException when the program cannot be started at all
   */
  Result run(List<String> argv, String stdin) throws IOException;

  /** Exit code and captured output of a finished command. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** stderr, else stdout, trimmed and on one line. */
    public String message() {
      String text = stderr.isBlank() ? stdout : stderr;
      return text.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
  }
}
