package io.meshlite.iptables;

import picocli.CommandLine.IVersionProvider;

/** {@code --version} text. */
final class Versions implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Versions.class.getPackage().getImplementationVersion();
    return new String[] {
      "kuma-init " + (version == null ? "dev" : version) + " (Kuma 2.14 compatible)"
    };
  }
}
