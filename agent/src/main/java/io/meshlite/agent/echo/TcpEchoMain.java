package io.meshlite.agent.echo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kuma-tcp-echo -port N}: listens on 0.0.0.0:N (default 8000) and echoes every byte back. */
@Command(name = "kuma-tcp-echo", mixinStandardHelpOptions = true, description = "Kuma TCP echo server")
public final class TcpEchoMain {
  @Option(names = {"-port", "--port"}, defaultValue = "8000", description = "Port to accept connections on.")
  int port;

  public static void main(String[] args) throws InterruptedException {
    TcpEchoMain opts = new TcpEchoMain();
    Integer exit = parse(opts, args, System.err);
    if (exit != null) {
      System.exit(exit);
    }
    try (TcpEchoServer server = TcpEchoServer.start(new InetSocketAddress("0.0.0.0", opts.port))) {
      System.out.println("Kuma TCP Echo - Listening to connections on port " + server.port());
      server.join();
    } catch (IOException e) {
      System.err.println("Error: cannot listen on port " + opts.port + ": " + e.getMessage());
      System.exit(1);
    }
  }

  /** Parses the flags; returns null to go on, or the exit code after help or an error. */
  static Integer parse(TcpEchoMain opts, String[] args, PrintStream err) {
    CommandLine cl = new CommandLine(opts);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("Error: " + e.getMessage() + " (see kuma-tcp-echo --help)");
      return 1;
    }
    if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested()) {
      cl.usage(System.out);
      return 0;
    }
    if (opts.port < 0 || opts.port > 65535) {
      err.println("Error: -port " + opts.port + " is not a port (expected: 0-65535)");
      return 1;
    }
    return null;
  }
}
