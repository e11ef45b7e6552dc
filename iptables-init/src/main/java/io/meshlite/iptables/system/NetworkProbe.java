package io.meshlite.iptables.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Asks {@code ip} (iproute2, through the host's runner) about interfaces and addresses. */
final class NetworkProbe {
  static final String FALLBACK_LOOPBACK = "lo";
  private final Host host;

  NetworkProbe(Host host) {
    this.host = host;
  }

  /** The loopback interface's name; {@code lo} when it cannot be determined. */
  String loopbackName() {
    return loopbackNames().stream().findFirst().orElse(FALLBACK_LOOPBACK);
  }

  /** True if an interface other than loopback has an IPv6 address. */
  boolean hasNonLoopbackIpv6() {
    List<String> loopbacks = loopbackNames();
    Optional<String> out = ip("-o", "-6", "addr", "show");
    if (out.isEmpty()) {
      return false;
    }
    for (String line : out.get().split("\n")) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length > 3 && fields[2].equals("inet6")) {
        String iface = fields[1].replaceAll("@.*$", "").replaceAll(":$", "");
        if (!loopbacks.contains(iface) && !iface.equals(FALLBACK_LOOPBACK)) {
          return true;
        }
      }
    }
    return false;
  }

  /** True if {@code ::6/128} is already on the loopback interface. */
  boolean hasPassthroughAddress() {
    return ip("-o", "-6", "addr", "show", "dev", loopbackName())
        .map(out -> out.contains(" ::6/128"))
        .orElse(false);
  }

  /** Adds {@code ::6/128} to loopback ({@code ip -6 addr add ::6/128 dev lo}); false on error. */
  boolean addPassthroughAddress() {
    Optional<Path> ip = host.executables().find("ip");
    if (ip.isEmpty()) {
      return false;
    }
    try {
      CommandRunner.Result result =
          host.runner()
              .run(
                  List.of(
                      ip.get().toString(), "-6", "addr", "add", "::6/128", "dev", loopbackName()),
                  null);
      return result.ok() || result.stderr().contains("exists");
    } catch (IOException e) {
      return false;
    }
  }

  private List<String> loopbackNames() {
    List<String> names = new ArrayList<>();
    ip("-o", "link", "show")
        .ifPresent(
            out -> {
              for (String line : out.split("\n")) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length > 2 && fields[2].contains("LOOPBACK")) {
                  names.add(fields[1].replaceAll("@.*$", "").replaceAll(":$", ""));
                }
              }
            });
    return names;
  }

  private Optional<String> ip(String... args) {
    Optional<Path> ip = host.executables().find("ip");
    if (ip.isEmpty()) {
      return Optional.empty();
    }
    List<String> argv = new ArrayList<>();
    argv.add(ip.get().toString());
    argv.addAll(List.of(args));
    try {
      CommandRunner.Result result = host.runner().run(argv, null);
      return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
