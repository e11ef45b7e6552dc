package io.meshlite.iptables;

import io.meshlite.iptables.system.Host;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code kuma-init} binary. */
public final class KumaInitMain {
  private KumaInitMain() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(TransparentProxyCommands.run(Host.system(), out, err, args));
  }
}
