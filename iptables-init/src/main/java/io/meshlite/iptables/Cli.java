package io.meshlite.iptables;

import io.meshlite.iptables.config.ConfigException;
import io.meshlite.iptables.system.TransparentProxyException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** Runs a command body and turns expected failures into one line on stderr and exit code 1. */
final class Cli {
  static final int FAILED = 1;

  private Cli() {}

  @FunctionalInterface
  interface Body {
    int run(PrintWriter out);
  }

  static int run(CommandSpec spec, Body body) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      int code = body.run(out);
      out.flush();
      return code;
    } catch (ConfigException | TransparentProxyException e) {
      out.flush();
      err.println(spec.root().name() + ": " + oneLine(e.getMessage()));
      err.flush();
      return FAILED;
    }
  }

  static String oneLine(String message) {
    return message == null ? "unknown error" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
