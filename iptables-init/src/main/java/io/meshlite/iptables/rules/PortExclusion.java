package io.meshlite.iptables.rules;

/**
 * Outbound traffic that is never redirected: one protocol, destination ports and owner UIDs, as
 * parsed from {@code --exclude-outbound-ports-for-uids}.
 *
 * @param protocol {@code tcp} or {@code udp}
 * @param ports multiport list in iptables syntax, e.g. {@code 53,3000:5000}
 * @param uids one UID or a range, e.g. {@code 106-108}
 */
public record PortExclusion(String protocol, String ports, String uids) {
  public PortExclusion {
    new Match.Protocol(protocol); // validates
    if (ports.isEmpty() || uids.isEmpty()) {
      throw new IllegalArgumentException("ports and uids must not be empty");
    }
  }
}
